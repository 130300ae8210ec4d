import Testing
import WSCCore

@Suite("ExpectationTracker")
struct ExpectationTrackerTests {
    @Test("patterns match in order, one message each")
    func inOrder() throws {
        var tracker = try ExpectationTracker(patterns: ["^hello", "id=[0-9]+"])
        let results = [
            tracker.received(.text("id=1")),
            tracker.received(.text("hello world")),
            tracker.received(.binary([1])),
            tracker.received(.text("got id=42")),
        ]
        #expect(results == [false, false, false, true])
        #expect(tracker.isSatisfied)
    }

    @Test("a bad pattern is refused")
    func badPattern() {
        #expect(throws: InputError.self) {
            try ExpectationTracker(patterns: ["(unclosed"])
        }
    }
}
