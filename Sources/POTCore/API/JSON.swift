// JSON reading and writing without full Foundation (JSONSerialization is not in FoundationEssentials;
// see docs/PERFORMANCE.md, "The process floor"). Both behave as JSONSerialization does on Linux, so
// the CLI's output and its config errors are unchanged: the same accepted texts (trailing commas, a
// leading byte order mark, nesting up to 512), the same number types, the same error reasons and
// offsets, and the same written text (sorted keys, `" : "` and two-space indents when pretty, `\/`).
// POTCoreTests/JSONTests compares both with JSONSerialization.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON syntax error: JSONSerialization's reason and, for most errors, the byte offset it names
/// ("around character N").
package struct JSONSyntaxError: Error, CustomStringConvertible {
    package let reason: String
    package let offset: Int?
    /// The text JSONSerialization gives as the error's debug description.
    package var description: String { offset.map { "\(reason) around character \($0)." } ?? reason }
}

extension ConfigValue {
    /// Parses a JSON text whose top level is an object or an array. Numbers become `.int` when
    /// written without fraction and exponent and within 64 bits, else `.double`, as ``init(json:)``
    /// types JSONSerialization's numbers.
    package static func parseJSON(_ text: String) throws(JSONSyntaxError) -> ConfigValue {
        var parser = JSONParser(bytes: Array(text.utf8))
        return try parser.document()
    }
}

private struct JSONParser {
    var bytes: [UInt8]
    var i = 0
    var depth = 0

    init(bytes: [UInt8]) {
        // A UTF-8 byte order mark is skipped; offsets then count from after it (as JSONSerialization's).
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    }

    static let endOfFile = JSONSyntaxError(reason: "Unexpected end of file during JSON parse.", offset: nil)
    func invalid(at offset: Int) -> JSONSyntaxError { JSONSyntaxError(reason: "Invalid value", offset: offset) }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    /// The next byte after whitespace, or the end-of-file error.
    mutating func peek() throws(JSONSyntaxError) -> UInt8 {
        skipSpace()
        guard i < bytes.count else { throw Self.endOfFile }
        return bytes[i]
    }

    mutating func document() throws(JSONSyntaxError) -> ConfigValue {
        _ = try peek()
        let value = try self.value()
        skipSpace()
        if i < bytes.count { throw invalid(at: i) }
        switch value {
        case .array, .dictionary: return value
        default: throw JSONSyntaxError(reason: "JSON text did not start with array or object and option to allow fragments not set.", offset: nil)
        }
    }

    mutating func value() throws(JSONSyntaxError) -> ConfigValue {
        switch try peek() {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw invalid(at: i)
        }
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > 512 { throw JSONSyntaxError(reason: "Too many nested arrays or dictionaries", offset: i + 1) }
        i += 1
    }

    mutating func object() throws(JSONSyntaxError) -> ConfigValue {
        try enter()
        var members: [String: ConfigValue] = [:]
        if try peek() == UInt8(ascii: "}") { i += 1; depth -= 1; return .dictionary(members) }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw invalid(at: i) }
            let key = try string()
            guard try peek() == UInt8(ascii: ":") else { throw invalid(at: i) }
            i += 1
            members[key] = try value()   // a repeated key keeps its last value
            let c = try peek()
            i += 1
            if c == UInt8(ascii: "}") { break }
            guard c == UInt8(ascii: ",") else { throw invalid(at: i - 1) }
            if try peek() == UInt8(ascii: "}") { i += 1; break }   // trailing comma
        }
        depth -= 1
        return .dictionary(members)
    }

    mutating func array() throws(JSONSyntaxError) -> ConfigValue {
        try enter()
        var items: [ConfigValue] = []
        if try peek() == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
        while true {
            items.append(try value())
            let c = try peek()
            i += 1
            if c == UInt8(ascii: "]") { break }
            guard c == UInt8(ascii: ",") else { throw invalid(at: i - 1) }
            if try peek() == UInt8(ascii: "]") { i += 1; break }   // trailing comma
        }
        depth -= 1
        return .array(items)
    }

    /// `true` / `false` / `null`: a wrong letter is an invalid value there, or the end-of-file error
    /// when it is the text's last byte (as JSONSerialization reports it); a cut-off word is end of file.
    mutating func literal(_ word: String) throws(JSONSyntaxError) {
        for b in word.utf8 {
            guard i < bytes.count else { throw Self.endOfFile }
            if bytes[i] != b { throw i + 1 == bytes.count ? Self.endOfFile : invalid(at: i) }
            i += 1
        }
    }

    mutating func number() throws(JSONSyntaxError) -> ConfigValue {
        let start = i
        func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count else { throw Self.endOfFile }
        guard isDigit(i) else { throw invalid(at: i) }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw JSONSyntaxError(reason: "Number with leading zero", offset: i) }
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count else { throw Self.endOfFile }
            guard isDigit(i) else { throw invalid(at: i) }
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count else { throw Self.endOfFile }
            guard isDigit(i) else { throw invalid(at: i) }
            while isDigit(i) { i += 1 }
        }
        return try Self.typedNumber(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    /// The type and value of a number's text, as Python's `json` (what POT reads its configs with)
    /// gives them: digits only (no ".", "e" or "E") is an integer — Int when it fits, else the
    /// correctly rounded Double (Python keeps a big int; no config key takes one); anything else is the
    /// correctly rounded Double of the text. (JSONSerialization, which SwiftPOT used before, wrapped
    /// 2^63...2^64-1 to negative integers and read texts of more than 17 digits through a Decimal that
    /// is not correctly rounded: 0.30000000000000004 became 0.3000000000000001.)
    static func typedNumber(_ text: String) throws(JSONSyntaxError) -> ConfigValue {
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let v = Int(text) { return .int(v) }
        guard let v = Double(text), v.isFinite else {
            throw JSONSyntaxError(reason: "Number \(text) is not representable in Swift.", offset: nil)
        }
        return .double(v)
    }


    mutating func string() throws(JSONSyntaxError) -> String {
        i += 1   // the opening quote
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw Self.endOfFile }
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: out, as: UTF8.self)
            case 0..<0x20:
                throw JSONSyntaxError(reason: "Unescaped control character", offset: i)
            case UInt8(ascii: "\\"):
                guard i + 1 < bytes.count else { throw Self.endOfFile }
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    i += 2
                    let scalar = try unicodeEscape()
                    out.append(contentsOf: String(Character(scalar)).utf8)
                    continue
                default: throw JSONSyntaxError(reason: "Invalid escape sequence", offset: i)
                }
                i += 2
            default:
                out.append(b)
                i += 1
            }
        }
    }

    /// Four hex digits at `i` (after `\u`).
    mutating func hex4() throws(JSONSyntaxError) -> UInt16 {
        guard bytes.count - i >= 4 else { throw Self.endOfFile }
        let digits = bytes[i..<(i + 4)]
        guard let v = UInt16(String(decoding: digits, as: UTF8.self), radix: 16),
              digits.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") }) else {
            throw JSONSyntaxError(reason: "Invalid hex encoded sequence in \"\(String(decoding: digits, as: UTF8.self))\" at \(i).", offset: nil)
        }
        i += 4
        return v
    }

    /// The scalar of a `\uXXXX` escape (a surrogate pair takes two), with `i` after the digits.
    mutating func unicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        let u = try hex4()
        switch u {
        case 0xD800...0xDBFF:
            let lowMissing = JSONSyntaxError(reason: "Unexpected end of file during string parse (expected low-surrogate code point but did not find one).", offset: nil)
            guard bytes.count - i >= 2 else { throw Self.endOfFile }
            guard bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { throw lowMissing }
            i += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw lowMissing }
            return Unicode.Scalar(0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(low) - 0xDC00))!
        case 0xDC00...0xDFFF:
            throw JSONSyntaxError(reason: "Unable to convert hex escape sequence (no high character) to UTF8-encoded character.", offset: nil)
        default:
            return Unicode.Scalar(u)!
        }
    }
}

/// A Decimal as Foundation's NSDecimalNumber.doubleValue gives it: the mantissa's base-65536
/// digits accumulated from the most significant, then one division (or multiplication) by 10
/// per unit of exponent. (Not correctly rounded: 0.30000000000000004 reads as 0.3000000000000001,
/// which is what the CLI read from such configs before; checked against JSONSerialization.)
func foundationDecimalToDouble(_ x: Decimal) -> Double {
    var digits = x.significand.description.utf8.compactMap { $0 >= 0x30 && $0 <= 0x39 ? Int($0 - 0x30) : nil }
    var chunks: [Int] = []   // least significant first
    while digits.contains(where: { $0 != 0 }) {
        var quotient: [Int] = [], r = 0
        for d in digits {
            r = r * 10 + d
            quotient.append(r / 65536)
            r %= 65536
        }
        chunks.append(r)
        digits = Array(quotient.drop { $0 == 0 })
    }
    var v = 0.0
    for c in chunks.reversed() { v = v * 65536 + Double(c) }
    if x.exponent < 0 {
        for _ in 0..<(-x.exponent) { v /= 10 }
    } else {
        for _ in 0..<x.exponent { v *= 10 }
    }
    return x.sign == .minus ? -v : v
}

// MARK: - Writing

/// A number JSON cannot hold (NaN or an infinity): writers that may meet one write `JSONNull()`.
package struct JSONWriteError: Error, CustomStringConvertible {
    package let value: Double
    package var description: String {
        let v = value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf")
        return "cannot write the number \(v) as JSON (JSON numbers are finite)"
    }
}

/// JSON's `null` in a value given to `jsonText`.
package struct JSONNull: Sendable { package init() {} }

/// JSON text of `value` (`String`, `Bool`, integers, `Double`, `Float`, `JSONNull`, arrays and `[String: Any]`
/// of these) with sorted keys, as `JSONSerialization.data(withJSONObject:options: [.sortedKeys])`
/// writes it (`pretty`: `.prettyPrinted` too).
package func jsonText(_ value: Any, pretty: Bool = false) throws -> String {
    var out = ""
    try writeJSON(value, pretty: pretty, indent: 0, into: &out)
    return out
}

private func writeJSON(_ value: Any, pretty: Bool, indent: Int, into out: inout String) throws {
    switch value {
    case let s as String:
        writeJSONString(s, into: &out)
    case let b as Bool:
        out += b ? "true" : "false"
    case is JSONNull:
        out += "null"
    case let d as Double:
        guard d.isFinite else { throw JSONWriteError(value: d) }
        out += jsonNumberText(d.description)
    case let f as Float:
        guard f.isFinite else { throw JSONWriteError(value: Double(f)) }
        out += jsonNumberText(f.description)
    case let n as any BinaryInteger:
        out += String(describing: n)
    case let a as [Any]:
        if a.isEmpty { out += pretty ? "[\n\n" + String(repeating: " ", count: indent) + "]" : "[]"; return }
        out += pretty ? "[\n" : "["
        for (k, item) in a.enumerated() {
            if k > 0 { out += pretty ? ",\n" : "," }
            if pretty { out += String(repeating: " ", count: indent + 2) }
            try writeJSON(item, pretty: pretty, indent: indent + 2, into: &out)
        }
        out += pretty ? "\n" + String(repeating: " ", count: indent) + "]" : "]"
    case let d as [String: Any]:
        if d.isEmpty { out += pretty ? "{\n\n" + String(repeating: " ", count: indent) + "}" : "{}"; return }
        out += pretty ? "{\n" : "{"
        for (k, key) in d.keys.sorted(by: jsonKeyPrecedes).enumerated() {
            if k > 0 { out += pretty ? ",\n" : "," }
            if pretty { out += String(repeating: " ", count: indent + 2) }
            writeJSONString(key, into: &out)
            out += pretty ? " : " : ":"
            try writeJSON(d[key]!, pretty: pretty, indent: indent + 2, into: &out)
        }
        out += pretty ? "\n" + String(repeating: " ", count: indent) + "}" : "}"
    default:
        throw JSONSyntaxError(reason: "Invalid object cannot be serialized", offset: nil)
    }
}

/// A number's shortest round-trip text without a trailing ".0" (1.0 -> "1", 1e-05 stays).
private func jsonNumberText(_ description: String) -> String {
    description.hasSuffix(".0") ? String(description.dropLast(2)) : description
}

private func writeJSONString(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "/": out += "\\/"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case _ where u.value < 0x20:
            let hex = String(u.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(u)
        }
    }
    out += "\""
}

/// JSONSerialization's `.sortedKeys` order (a numeric, case-insensitive collation) for keys of ASCII
/// letters, digits and punctuation: punctuation before digits before letters, digit runs by value,
/// letters case-insensitively with lowercase first on a tie. (All keys SwiftPOT writes are of this kind.)
package func jsonKeyPrecedes(_ a: String, _ b: String) -> Bool {
    enum Unit: Comparable {
        case punctuation(UInt32), number(String), letter(UInt32), other(UInt32)
    }
    func units(_ s: String) -> [Unit] {
        var out: [Unit] = []
        let scalars = Array(s.unicodeScalars)
        var k = 0
        while k < scalars.count {
            let c = scalars[k]
            if ("0"..."9").contains(c) {
                var digits = ""
                while k < scalars.count, ("0"..."9").contains(scalars[k]) { digits.unicodeScalars.append(scalars[k]); k += 1 }
                let trimmed = String(digits.drop { $0 == "0" })
                out.append(.number(String(repeating: "0", count: max(0, 40 - trimmed.count)) + trimmed))
                continue
            }
            if ("a"..."z").contains(c) { out.append(.letter(c.value)) }
            else if ("A"..."Z").contains(c) { out.append(.letter(c.value + 32)) }
            else if c.isASCII { out.append(.punctuation(c.value)) }
            else { out.append(.other(c.value)) }
            k += 1
        }
        return out
    }
    let ua = units(a), ub = units(b)
    if ua != ub { return ua.lexicographicallyPrecedes(ub) }
    // Equal but for case (or leading zeros): lowercase first.
    for (x, y) in zip(a.unicodeScalars, b.unicodeScalars) where x != y {
        return ("a"..."z").contains(x) && ("A"..."Z").contains(y)
    }
    return a.unicodeScalars.count < b.unicodeScalars.count
}
