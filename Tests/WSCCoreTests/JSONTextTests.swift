import Testing
import WSCCore

@Suite("JSONText")
struct JSONTextTests {
    @Test("compact keeps order, numbers and escapes as written")
    func compact() throws {
        let input =
            " { \"z\" : 1.50e+3 , \"a\" : [ true , false , null , \"x\\u00e9\\n y\" ] , \"m\" : { } , \"e\": [ ] } "
        #expect(
            try JSONText.compact(input) == "{\"z\":1.50e+3,\"a\":[true,false,null,\"x\\u00e9\\n y\"],\"m\":{},\"e\":[]}"
        )
    }

    @Test("scalars are JSON too")
    func scalars() throws {
        #expect(try JSONText.compact(" 42 ") == "42")
        #expect(try JSONText.compact("\"s\"") == "\"s\"")
        #expect(try JSONText.compact("-0.5") == "-0.5")
    }

    @Test("pretty indents by two spaces")
    func pretty() throws {
        #expect(
            try JSONText.pretty("{\"a\":[1,{\"b\":null}],\"c\":{}}") == """
                {
                  "a": [
                    1,
                    {
                      "b": null
                    }
                  ],
                  "c": {}
                }
                """
        )
    }

    @Test(
        "invalid JSON is refused",
        arguments: [
            "", "{", "{\"a\"}", "{\"a\":}", "[1,]", "[1 2]", "01", "1.", "-", "\"\\x\"", "tru", "{\"a\":1}x",
            "\"a\u{01}\"", "[1e]", "{1:2}",
        ]
    )
    func invalid(text: String) {
        #expect(throws: JSONError.self) {
            try JSONText.compact(text)
        }
    }

    @Test("deep nesting is refused, not a crash")
    func deep() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) {
            try JSONText.compact(deep)
        }
    }

    @Test("past the depth limit, the error names the limit and does not call the text invalid")
    func depthLimitInWords() throws {
        let atLimit =
            String(repeating: "[", count: JSONText.maximumDepth) + String(repeating: "]", count: JSONText.maximumDepth)
        #expect(try JSONText.compact(atLimit) == atLimit)
        let over = "[" + atLimit + "]"
        let error = #expect(throws: JSONError.self) { try JSONText.compact(over) }
        #expect(error?.isOverLimit == true)
        #expect(error?.description == "JSON nested deeper than 512 levels, the most wsc takes (at byte 512)")
        let invalid = #expect(throws: JSONError.self) { try JSONText.compact("[1,]") }
        #expect(invalid?.isOverLimit == false)
        #expect(invalid?.description.hasPrefix("invalid JSON at byte") == true)
    }

    @Test("isStructured only for objects and arrays")
    func structured() {
        #expect(JSONText.isStructured(" {\"a\":1}"))
        #expect(JSONText.isStructured("[]"))
        #expect(!JSONText.isStructured("42"))
        #expect(!JSONText.isStructured("{oops"))
        #expect(!JSONText.isStructured("hello"))
    }
}
