import CLibEdit
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The prompt, on libedit: emacs keys, history, completion, and output printed above the
/// line being typed.
///
/// Output is batched: everything printed during one turn of the main queue is drawn
/// with a single redraw of the prompt, so a flood of messages costs one redraw per batch.
@MainActor
public final class LibEditLineEditor: LineEditor {
    private let prompt: String
    private let historyFile: String?
    private let commands: [String]
    private var readSource: DispatchSourceRead?
    private var signalSources: [DispatchSourceSignal] = []
    private var pendingOutput: [UInt8] = []
    private var flushScheduled = false
    private var isActive = false
    private var onLine: (@MainActor (String) -> Void)?
    private var onEndOfInput: (@MainActor () -> Void)?
    private var onHangUp: (@MainActor () -> Void)?

    /// How many history entries are kept.
    public static let historyLimit = 1000

    public init(prompt: String, historyFile: String?, commands: [String]) {
        self.prompt = prompt
        self.historyFile = historyFile
        self.commands = commands
    }

    public var hasText: Bool {
        self.isActive && wsc_le_line_is_empty() == 0
    }

    public func start(
        onLine: @escaping @MainActor (String) -> Void,
        onEndOfInput: @escaping @MainActor () -> Void,
        onHangUp: @escaping @MainActor () -> Void
    ) {
        self.onLine = onLine
        self.onEndOfInput = onEndOfInput
        self.onHangUp = onHangUp
        for command in self.commands {
            wsc_le_add_command(command)
        }
        let history = self.historyFile.flatMap { HistoryLocation.prepare($0) ? $0 : nil }
        switch wsc_le_init(self.prompt, history, Int32(Self.historyLimit)) {
        case 0:
            break
        case -2:
            // libedit is opened only now: without it there is no prompt, and the session
            // ends as if the terminal had gone.
            let reason = String(cString: wsc_le_load_error())
            OutputStream.standardError.write("wsc: no prompt: libedit could not be loaded (\(reason))\n")
            // The session posts it to its mailbox: it is handled after the set-up, in order.
            onHangUp()
            return
        default:
            return
        }
        self.isActive = true

        let source = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .main)
        source.setEventHandler { [weak self] in
            MainActor.assumeIsolated {
                self?.readable()
            }
        }
        source.resume()
        self.readSource = source

        for (signalNumber, action) in [(SIGWINCH, { wsc_le_resize() }), (SIGTSTP, { wsc_le_suspend() })] {
            signal(signalNumber, SIG_IGN)
            let signalSource = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            signalSource.setEventHandler { [weak self] in
                MainActor.assumeIsolated {
                    guard let self, self.isActive else {
                        return
                    }
                    self.flush()
                    action()
                }
            }
            signalSource.resume()
            self.signalSources.append(signalSource)
        }
    }

    public func print(_ text: String) {
        guard self.isActive else {
            OutputStream.standardOutput.write(text + "\n")
            return
        }
        self.pendingOutput.append(contentsOf: text.utf8)
        self.pendingOutput.append(UInt8(ascii: "\n"))
        if !self.flushScheduled {
            self.flushScheduled = true
            DispatchQueue.main.async { [weak self] in
                MainActor.assumeIsolated {
                    self?.flush()
                }
            }
        }
    }

    public func clearLine() {
        guard self.isActive else {
            return
        }
        self.flush()
        wsc_le_clear_line()
    }

    public func stop() {
        guard self.isActive else {
            return
        }
        self.flush()
        self.isActive = false
        self.readSource?.cancel()
        self.readSource = nil
        for source in self.signalSources {
            source.cancel()
        }
        self.signalSources.removeAll()
        signal(SIGTSTP, SIG_DFL)
        wsc_le_shutdown()
    }

    private func flush() {
        self.flushScheduled = false
        guard !self.pendingOutput.isEmpty else {
            return
        }
        // Handed over, not copied: clearing a buffer still shared would allocate another.
        var output: [UInt8] = []
        swap(&output, &self.pendingOutput)
        guard self.isActive else {
            OutputStream.standardOutput.write(output)
            return
        }
        output.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                wsc_le_print_above(chars.baseAddress, chars.count)
            }
        }
    }

    private func readable() {
        guard self.isActive else {
            return
        }
        self.flush()
        switch wsc_le_on_readable() {
        case Int32(WSC_LE_LINE):
            let line = String(cString: wsc_le_line())
            if !line.isEmpty, line.first != " " {
                wsc_le_history_add(line)
            }
            self.onLine?(line)
            if wsc_le_has_pending_input() != 0 {
                // The rest of a paste was read with this line: the terminal may have nothing
                // more to say, so the next line is taken on the next turn, after this one's output.
                DispatchQueue.main.async { [weak self] in
                    MainActor.assumeIsolated {
                        self?.readable()
                    }
                }
            }
        case Int32(WSC_LE_EOF):
            // The editor has let go of the terminal; a level-triggered source would spin.
            self.readSource?.cancel()
            self.readSource = nil
            self.onEndOfInput?()
        case Int32(WSC_LE_HANGUP):
            self.readSource?.cancel()
            self.readSource = nil
            self.onHangUp?()
        default:
            break
        }
    }
}
