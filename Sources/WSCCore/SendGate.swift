/// What a data message that is sent now meets: see ``ConnectionStateMachine/sendGate``.
public enum SendGate: Hashable, Sendable {
    /// It is held until the connection opens.
    case hold
    /// It is written.
    case write
    /// It is refused (or given back): the connection is closing or closed.
    case refuse
}
