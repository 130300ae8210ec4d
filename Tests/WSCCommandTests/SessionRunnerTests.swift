import Dispatch
import NIOCore
import NIOPosix
import Testing
import WSCCore
import WSCTerminal

@testable import WSCCommand

/// The session runner over a target of the test's own: the mailbox's order, the timers,
/// the command line's source, and the end of the run.
///
/// The runner is given no signals to watch: the test process's own must stay as they are,
/// or the processes other tests start would inherit them ignored.
@Suite("SessionRunner over a fake target", .timeLimit(.minutes(1)))
@MainActor
struct SessionRunnerTests {
    /// Records what the runner hands it, and ends when told.
    final class FakeTarget: SessionTarget {
        typealias Event = Int
        static var role: ConnectionRole { .client }

        /// What happened to it, in order.
        var log: [String] = []
        var events: [Int] = []
        var isDone = false
        var exitStatus: WSCCore.ExitStatus?
        var readsInputWithCommandLineSends: Bool { false }
        /// Done once this many events arrived (never, when nil).
        let eventsToEnd: Int?
        /// Posts these events from another thread when the command line's sends are handed over.
        let eventsToPost: Int
        let runner: SessionRunner<Int>

        init(runner: SessionRunner<Int>, eventsToPost: Int = 0, eventsToEnd: Int? = nil) {
            self.runner = runner
            self.eventsToPost = eventsToPost
            self.eventsToEnd = eventsToEnd
        }

        func finish(_ status: WSCCore.ExitStatus) {
            self.exitStatus = status
            self.isDone = true
        }

        func start(at now: Duration) async -> WSCCore.ExitStatus? {
            self.log.append("start")
            return nil
        }

        func sendCommandLine(at now: Duration) {
            self.log.append("sendCommandLine")
            let runner = self.runner
            let count = self.eventsToPost
            DispatchQueue.global().async {
                for event in 0..<count {
                    runner.post(event)
                }
            }
        }

        func received(_ event: Int, at now: Duration) {
            self.events.append(event)
            if self.events.count == self.eventsToEnd {
                self.finish(.success)
            }
        }

        func timerFired(_ timer: SessionTimers.Timer, at now: Duration) {
            self.log.append("timer \(timer)")
            if timer == .timeLimit {
                self.finish(.timeout)
            }
        }

        func interrupted(promptHasText: Bool, at now: Duration) { self.log.append("interrupted") }
        func terminated(at now: Duration) { self.log.append("terminated") }
        func hungUp(at now: Duration) { self.log.append("hungUp") }
        func typed(_ line: String, at now: Duration) { self.log.append("typed \(line)") }
        func typedEndOfInput(at now: Duration) { self.log.append("typedEndOfInput") }
        func outputClosed(failed: Bool, at now: Duration) { self.log.append("outputClosed") }
        func inputArrived(at now: Duration) async -> Bool { true }
        func send(binary payloads: consuming [ByteBuffer]) {}
        func send(contentsOf messages: [Message]) {}
        func pipedLine(_ line: String) async -> Bool { true }
        func roomForMoreInput() async -> Bool { true }
        func inputEnded(at now: Duration) { self.log.append("inputEnded") }
        func recordNotSent() {}
    }

    /// Options with a send on the command line, so that standard input is not read.
    func options(timeout: Duration? = nil) -> SessionOptions {
        var options = SessionOptions(
            interactive: false,
            slashCommands: false,
            style: OutputStyle(color: false, binaryFormat: .summary, pretty: false, showPingPong: false)
        )
        options.commandLineSends = [.message(.text("x"))]
        options.timeout = timeout
        return options
    }

    @Test("events posted from another thread reach the target in order; the run ends with the target's status")
    func order() async {
        let runner = SessionRunner<Int>(options: self.options())
        let target = FakeTarget(runner: runner, eventsToPost: 10_000, eventsToEnd: 10_000)
        let status = await runner.run(target, signals: [])
        #expect(status == .success)
        #expect(target.events == Array(0..<10_000))
        #expect(target.log == ["start", "sendCommandLine"])
    }

    @Test("the time limit fires as a timer; a source held at the end is let go, and the run still ends")
    func timeLimit() async {
        let runner = SessionRunner<Int>(options: self.options(timeout: .milliseconds(20)))
        let target = FakeTarget(runner: runner)
        async let held = runner.hold(until: nil)
        let status = await runner.run(target, signals: [])
        #expect(status == .timeout)
        #expect(await held == false)
        #expect(target.log == ["start", "sendCommandLine", "timer timeLimit"])
    }

    @Test("a held source goes on when its future completes, with true")
    func heldUntilFuture() async {
        let runner = SessionRunner<Int>(options: self.options())
        let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        async let held = runner.hold(until: promise.futureResult)
        promise.succeed()
        #expect(await held == true)
    }
}
