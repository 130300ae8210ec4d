import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns signals into calls on the main actor instead of their default action.
@MainActor
final class SignalWatcher {
    private var sources: [DispatchSourceSignal] = []
    private let signals: [CInt]

    /// Starts watching; `handler` gets each signal's number.
    init(_ signals: [CInt], handler: @escaping @MainActor (CInt) -> Void) {
        self.signals = signals
        for signalNumber in signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                MainActor.assumeIsolated {
                    handler(signalNumber)
                }
            }
            source.resume()
            self.sources.append(source)
        }
        // A closed standard output is handled where it is written, not by dying of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Stops watching: the signals have their default action again.
    func cancel() {
        for source in self.sources {
            source.cancel()
        }
        self.sources.removeAll()
        for signalNumber in self.signals {
            signal(signalNumber, SIG_DFL)
        }
    }
}
