import Testing

/// Every end-to-end suite, run one test at a time: they start processes (servers, tmux,
/// wsc), and a process started by one test must not inherit another's pipes.
@Suite(.serialized)
enum EndToEnd {}
