import Testing

@testable import WSCCore

@Suite("Substring search")
struct SubstringSearchTests {
    @Test("finds the first occurrence, byte for byte, also after a false start")
    func finds() throws {
        let text: Substring = "ws:/x://a://b"
        let range = try #require(text.firstRange(ofUTF8: "://"))
        #expect(text[..<range.lowerBound] == "ws:/x" && text[range.upperBound...] == "a://b")
        let overlapping: Substring = "::::/"
        #expect(overlapping.firstRange(ofUTF8: ":::/").map { overlapping[$0] } == ":::/")
    }

    @Test("no match, a needle longer than the text, an empty needle")
    func edges() {
        #expect(Substring("ws//host").firstRange(ofUTF8: "://") == nil)
        #expect(Substring(":/").firstRange(ofUTF8: "://") == nil)
        let text: Substring = "abc"
        #expect(text.firstRange(ofUTF8: "") == text.startIndex..<text.startIndex)
    }

    @Test("indices around non-ASCII text stay on character boundaries")
    func nonASCII() throws {
        let text = Substring("wß://häst:1/é").dropFirst(0)
        let range = try #require(text.firstRange(ofUTF8: "://"))
        #expect(text[..<range.lowerBound] == "wß" && text[range.upperBound...] == "häst:1/é")
        let slice = text.dropFirst(2)
        #expect(slice.firstRange(ofUTF8: "://").map { slice[$0.upperBound...] } == "häst:1/é")
    }
}
