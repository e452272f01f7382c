#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// POT reads its JSON configuration files with a comment-tolerant JSON reader (`utils/config_reader.py`
/// uses the `jstyleson` package): `// line` and `/* block */` comments outside strings are allowed, and
/// so is a comma before a closing `}` or `]`. This turns such text into strict JSON with the same
/// line and column layout (comments become spaces, newlines stay), so parse errors still point at the
/// right place in the user's file.
public enum JSONComments {
    /// The text with comments blanked and trailing commas removed. Throws when a block comment or a
    /// string is not closed, naming `file` and the line where it started.
    public static func strip(_ text: String, file: String = "config") throws -> String {
        var out = Array(text.utf8)
        let n = out.count
        var i = 0
        var line = 1
        // Index of the last comma outside strings/comments that only whitespace/comments follow so far.
        var pendingComma: Int? = nil
        while i < n {
            let c = out[i]
            switch c {
            case UInt8(ascii: "\""):
                pendingComma = nil
                let startLine = line
                i += 1
                var closed = false
                while i < n {
                    let d = out[i]
                    if d == UInt8(ascii: "\\") { i += 2; continue }
                    if d == UInt8(ascii: "\n") { line += 1 }
                    if d == UInt8(ascii: "\"") { closed = true; break }
                    i += 1
                }
                if !closed { throw OVIRError("\(file):\(startLine): a string is not closed") }
                i += 1
            case UInt8(ascii: "/") where i + 1 < n && out[i + 1] == UInt8(ascii: "/"):
                while i < n && out[i] != UInt8(ascii: "\n") { out[i] = UInt8(ascii: " "); i += 1 }
            case UInt8(ascii: "/") where i + 1 < n && out[i + 1] == UInt8(ascii: "*"):
                let startLine = line
                out[i] = UInt8(ascii: " "); out[i + 1] = UInt8(ascii: " ")
                i += 2
                var closed = false
                while i < n {
                    if out[i] == UInt8(ascii: "*") && i + 1 < n && out[i + 1] == UInt8(ascii: "/") {
                        out[i] = UInt8(ascii: " "); out[i + 1] = UInt8(ascii: " ")
                        i += 2
                        closed = true
                        break
                    }
                    if out[i] == UInt8(ascii: "\n") { line += 1 } else { out[i] = UInt8(ascii: " ") }
                    i += 1
                }
                if !closed { throw OVIRError("\(file):\(startLine): a /* comment is not closed") }
            case UInt8(ascii: ","):
                pendingComma = i
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let p = pendingComma { out[p] = UInt8(ascii: " ") }
                pendingComma = nil
                i += 1
            case UInt8(ascii: "\n"):
                line += 1
                i += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
            default:
                pendingComma = nil
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
