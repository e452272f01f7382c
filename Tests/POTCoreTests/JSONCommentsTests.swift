import Foundation
import Testing
@testable import POTCore

/// POT's JSON configs may carry `//` and `/* */` comments and trailing commas (its reader, jstyleson,
/// removes them); `JSONComments.strip` turns them into strict JSON with the same line layout.
@Suite("JSON configs with comments")
struct JSONCommentsTests {
    func parse(_ text: String) throws -> NSDictionary {
        let strict = try JSONComments.strip(text)
        return try #require(JSONSerialization.jsonObject(with: Data(strict.utf8)) as? NSDictionary)
    }

    @Test func commentsAndTrailingCommasAreRemoved() throws {
        let d = try parse("""
        { // line comment, "quoted"
          "a": [1, 2, /* inline */ 3,],
          /* block
             over lines */ "b": {"c": "x",  },
        }
        """)
        #expect(d == ["a": [1, 2, 3], "b": ["c": "x"]] as NSDictionary)
    }

    @Test func stringsKeepCommentMarkersAndCommas() throws {
        let d = try parse(#"{"url": "http://host/a,]", "s": "/* no */", "e": "q\"//,}"}"#)
        #expect(d["url"] as? String == "http://host/a,]")
        #expect(d["s"] as? String == "/* no */")
        #expect(d["e"] as? String == #"q"//,}"#)
    }

    @Test func lineLayoutIsKept() throws {
        let text = "{\n// c\n/* a\nb */\n\"k\": 1}\n"
        let strict = try JSONComments.strip(text)
        #expect(strict.split(separator: "\n", omittingEmptySubsequences: false).count
                == text.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(strict.utf8.count == text.utf8.count)
    }

    @Test func unclosedCommentOrStringIsAnError() {
        #expect(throws: (any Error).self) { try JSONComments.strip("{\n\n /* open", file: "c.json") }
        do { _ = try JSONComments.strip("{\n\n /* open", file: "c.json"); Issue.record("no error") } catch {
            #expect("\(error)".contains("c.json:3: a /* comment is not closed"), "\(error)")
        }
        do { _ = try JSONComments.strip("{\"a\": \"open}", file: "c.json"); Issue.record("no error") } catch {
            #expect("\(error)".contains("c.json:1: a string is not closed"), "\(error)")
        }
    }
}
