import WSCCore
import WSCInput

/// Standard input, a batch of records at a time, read on only while the target has room:
/// memory stays bounded whatever the input's size.
struct StandardInputSource: InputSource {
    let options: SessionOptions

    func run<Target: SessionTarget>(into target: Target, runner: SessionRunner<Target.Event>) async {
        let input = self.options.inputBatches()
        for await var batch in input.stream {
            guard await target.inputArrived(at: runner.timers.now) else {
                return
            }
            let complain = { (message: String) in
                target.recordNotSent()
                runner.output.show(.error(ConnectionError(.input, message)))
            }
            if let payloads = self.options.payloads(taking: &batch) {
                target.send(binary: consume payloads)
            } else if self.options.slashCommands, !self.options.inputIsBinary {
                // Lines may be commands: one at a time.
                for line in self.options.lines(from: batch, complain: complain) {
                    guard await target.pipedLine(line) else {
                        return
                    }
                }
            } else {
                target.send(contentsOf: self.options.messages(from: batch, complain: complain))
            }
            guard await target.roomForMoreInput() else {
                return
            }
            input.consumed()
        }
        if !Task.isCancelled {
            target.inputEnded(at: runner.timers.now)
        }
    }
}
