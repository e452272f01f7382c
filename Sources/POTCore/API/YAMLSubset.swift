#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A strict reader for the YAML that POT configuration files use (POT reads `.yaml`/`.yml` configs
/// with PyYAML's `SafeLoader`, `utils/config_reader.py`): one document of block mappings and block
/// sequences (a sequence may sit at its key's indentation), flow collections `[…]` / `{…}` (also over
/// several lines), plain, single- and double-quoted scalars on one line, and `#` comments.
///
/// Plain scalars are resolved as PyYAML resolves YAML 1.1: `~`/`null`/empty → null,
/// `yes`/`no`/`on`/`off`/`true`/`false` (three spellings each) → booleans, decimal integers, floats
/// with a dot (so `1e-4` stays a string, as in PyYAML; `1.0e-4` is a number); anything else is a string.
/// Everything outside the subset is an error naming the line and column: tabs in indentation,
/// anchors, aliases, tags, block scalars (`|`, `>`), complex keys, several documents, duplicate keys
/// (PyYAML keeps the last one silently), keys that YAML 1.1 would not read as strings, multi-line plain
/// scalars, and the number forms PyYAML reads differently from what they look like (octal `012`, hex,
/// binary, underscores, base-60 `1:30`, `.inf`, `.nan`, dates).
package enum YAMLSubset {
    package static func parse(_ text: String, file: String) throws -> ConfigValue {
        var p = try Parser(text: text, file: file)
        return try p.document()
    }

    struct Line {
        var number: Int      // 1-based
        var indent: Int
        var content: Substring   // without indentation, comment and trailing blanks
    }

    struct Parser {
        let file: String
        var lines: [Line] = []
        var i = 0

        init(text: String, file: String) throws {
            self.file = file
            var number = 0
            var started = false
            for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
                number += 1
                var line = raw
                if line.hasSuffix("\r") { line = line.dropLast() }
                if number == 1, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
                let indent = line.prefix { $0 == " " }.count
                let rest = line.dropFirst(indent)
                if rest.first == "\t" { throw YAMLError(file, number, indent + 1, "a tab in the indentation (YAML indents with spaces)") }
                let content = try Self.stripComment(rest, file: file, line: number, column: indent + 1)
                if content.isEmpty { continue }
                if indent == 0, content == "---" || content.hasPrefix("--- ") {
                    if started || !lines.isEmpty { throw YAMLError(file, number, 1, "a second document ('---'); a config file holds one") }
                    started = true
                    let after = content.dropFirst(3).drop { $0 == " " }
                    if !after.isEmpty { throw YAMLError(file, number, 5, "content after '---' is not supported; start it on the next line") }
                    continue
                }
                if indent == 0, content == "..." { throw YAMLError(file, number, 1, "'...' (end of document) is not supported") }
                if indent == 0, content.hasPrefix("%") { throw YAMLError(file, number, 1, "YAML directives ('%…') are not supported") }
                lines.append(Line(number: number, indent: indent, content: content))
            }
        }

        /// `text` without its comment (`#` at the start or after a blank, outside quotes) and trailing blanks.
        static func stripComment(_ text: Substring, file: String, line: Int, column: Int) throws -> Substring {
            var quote: Character? = nil
            var previous: Character = " "
            var idx = text.startIndex
            while idx < text.endIndex {
                let c = text[idx]
                if let q = quote {
                    if q == "\"" && c == "\\" {
                        idx = text.index(after: idx)
                        if idx < text.endIndex { previous = text[idx]; idx = text.index(after: idx) }
                        continue
                    }
                    if c == q {
                        let next = text.index(after: idx)
                        if q == "'", next < text.endIndex, text[next] == "'" {   // '' inside '…'
                            previous = "'"
                            idx = text.index(after: next)
                            continue
                        }
                        quote = nil
                    }
                } else if c == "#" && (previous == " " || previous == "\t") {
                    return Self.trimTrailing(text[text.startIndex..<idx])
                } else if (c == "\"" || c == "'") && (previous == " " || previous == "\t" || "[{,:-".contains(previous) || idx == text.startIndex) {
                    quote = c
                }
                previous = c
                idx = text.index(after: idx)
            }
            return Self.trimTrailing(text)
        }

        static func trimTrailing(_ s: Substring) -> Substring {
            var end = s.endIndex
            while end > s.startIndex, s[s.index(before: end)] == " " || s[s.index(before: end)] == "\t" { end = s.index(before: end) }
            return s[s.startIndex..<end]
        }

        func error(_ line: Line, _ column: Int, _ message: String) -> YAMLError {
            YAMLError(file, line.number, column, message)
        }

        mutating func document() throws -> ConfigValue {
            guard !lines.isEmpty else { return .null }
            let first = lines[0]
            if first.indent != 0 { throw error(first, 1, "the document must start in column 1") }
            let v = try block(indent: 0)
            if i < lines.count { throw error(lines[i], lines[i].indent + 1, "unexpected content at this indentation") }
            return v
        }

        static func isSequenceItem(_ s: Substring) -> Bool { s == "-" || s.hasPrefix("- ") }

        /// A block node whose first line is `lines[i]`, at `indent`.
        mutating func block(indent: Int) throws -> ConfigValue {
            let line = lines[i]
            if Self.isSequenceItem(line.content) { return try sequence(indent: indent) }
            if try Self.splitKey(line.content, line: line, file: file) != nil { return try mapping(indent: indent) }
            // a lone value (the whole document, or a nested value on its own line)
            i += 1
            return try inline(line.content, line: line, column: line.indent + 1)
        }

        mutating func mapping(indent: Int) throws -> ConfigValue {
            var out: [String: ConfigValue] = [:]
            while i < lines.count {
                let line = lines[i]
                if line.indent < indent { break }
                if line.indent > indent { throw error(line, line.indent + 1, "unexpected indentation (expected \(indent) spaces)") }
                if Self.isSequenceItem(line.content) { break }
                guard let (key, keyColumn, rest, restColumn) = try Self.splitKey(line.content, line: line, file: file) else {
                    throw error(line, line.indent + 1, "expected 'key: value' in this mapping")
                }
                if out.keys.contains(key) { throw error(line, line.indent + keyColumn, "duplicate key '\(key)'") }
                i += 1
                if rest.isEmpty {
                    if i < lines.count, lines[i].indent > indent {
                        out[key] = try block(indent: lines[i].indent)
                    } else if i < lines.count, lines[i].indent == indent, Self.isSequenceItem(lines[i].content) {
                        out[key] = try sequence(indent: indent)
                    } else {
                        out[key] = .null
                    }
                } else {
                    out[key] = try inline(rest, line: line, column: line.indent + restColumn)
                    if i < lines.count, lines[i].indent > indent {
                        throw error(lines[i], lines[i].indent + 1, "unexpected indentation after the value of '\(key)' (multi-line plain scalars are not supported; quote the value on one line)")
                    }
                }
            }
            return .dictionary(out)
        }

        mutating func sequence(indent: Int) throws -> ConfigValue {
            var out: [ConfigValue] = []
            while i < lines.count {
                let line = lines[i]
                if line.indent < indent { break }
                if line.indent > indent { throw error(line, line.indent + 1, "unexpected indentation (expected \(indent) spaces)") }
                guard Self.isSequenceItem(line.content) else { break }
                let afterDash = line.content.dropFirst()
                let blanks = afterDash.prefix { $0 == " " }.count
                let rest = afterDash.dropFirst(blanks)
                if rest.isEmpty {
                    i += 1
                    if i < lines.count, lines[i].indent > indent {
                        out.append(try block(indent: lines[i].indent))
                    } else {
                        out.append(.null)
                    }
                    continue
                }
                let column = indent + 1 + blanks
                let isKey = try Self.splitKey(rest, line: line, file: file) != nil
                if Self.isSequenceItem(rest) || isKey {
                    // "- key: value" / "- - x": a nested block starting inside this line
                    lines[i] = Line(number: line.number, indent: column, content: rest)
                    out.append(try block(indent: column))
                } else {
                    i += 1
                    out.append(try inline(rest, line: line, column: column + 1))
                    if i < lines.count, lines[i].indent > indent {
                        throw error(lines[i], lines[i].indent + 1, "unexpected indentation after a sequence item (multi-line plain scalars are not supported)")
                    }
                }
            }
            return .array(out)
        }

        /// `key: rest` → (key, key column, rest, rest column), columns 1-based within `s`; nil when `s`
        /// is not a mapping entry.
        static func splitKey(_ s: Substring, line: Line, file: String) throws -> (String, Int, Substring, Int)? {
            guard let first = s.first else { return nil }
            if first == "?" && (s.count == 1 || s.dropFirst().first == " ") {
                throw YAMLError(file, line.number, line.indent + 1, "complex keys ('? ') are not supported")
            }
            if "[{".contains(first) { return nil }
            var keyEnd: Substring.Index
            var key: String
            if first == "\"" || first == "'" {
                var scanner = FlowScanner(text: s, file: file, line: line.number, column: line.indent + 1)
                let quoted = try scanner.quoted()
                keyEnd = scanner.idx
                let afterQuote = s[keyEnd...].drop { $0 == " " }
                guard afterQuote.first == ":" else { return nil }
                keyEnd = afterQuote.startIndex
                key = quoted
            } else {
                var idx = s.startIndex
                var found: Substring.Index? = nil
                while idx < s.endIndex {
                    if s[idx] == ":" {
                        let next = s.index(after: idx)
                        if next == s.endIndex || s[next] == " " { found = idx; break }
                    }
                    idx = s.index(after: idx)
                }
                guard let colon = found else { return nil }
                keyEnd = colon
                let raw = trimTrailing(s[s.startIndex..<colon])
                key = String(raw)
                if key == "<<" { throw YAMLError(file, line.number, line.indent + 1, "merge keys ('<<') are not supported") }
                if key.isEmpty { throw YAMLError(file, line.number, line.indent + 1, "an empty key") }
                let resolved = try YAMLSubset.resolvePlain(raw, file: file, line: line.number, column: line.indent + 1)
                if case .string = resolved {} else {
                    throw YAMLError(file, line.number, line.indent + 1, "the key '\(key)' is not a string in YAML 1.1 (PyYAML reads it as \(YAMLSubset.describe(resolved))); quote it")
                }
                try checkPlainStart(raw, file: file, line: line.number, column: line.indent + 1)
            }
            let afterColon = s[s.index(after: keyEnd)...]
            let blanks = afterColon.prefix { $0 == " " }.count
            let rest = afterColon.dropFirst(blanks)
            let keyColumn = 1
            let restColumn = s.distance(from: s.startIndex, to: rest.startIndex) + 1
            return (key, keyColumn, rest, restColumn)
        }

        /// A value written after `key: ` or `- `: a flow collection (continued on the next lines until
        /// its brackets close), a quoted scalar or a plain scalar.
        mutating func inline(_ text: Substring, line: Line, column: Int) throws -> ConfigValue {
            guard let first = text.first else { return .null }
            if first == "[" || first == "{" {
                var joined = String(text)
                var scanner = FlowScanner(text: Substring(joined), file: file, line: line.number, column: column)
                while !scanner.balanced() {
                    guard i < lines.count else {
                        throw error(line, column, "the flow collection opened here is not closed")
                    }
                    joined += " " + lines[i].content
                    i += 1
                    scanner = FlowScanner(text: Substring(joined), file: file, line: line.number, column: column)
                }
                let v = try scanner.value()
                scanner.skipBlanks()
                if scanner.idx != scanner.text.endIndex {
                    throw error(line, column, "unexpected '\(scanner.text[scanner.idx...].prefix(20))' after the flow collection")
                }
                return v
            }
            var scanner = FlowScanner(text: text, file: file, line: line.number, column: column)
            if first == "\"" || first == "'" {
                let s = try scanner.quoted()
                scanner.skipBlanks()
                if scanner.idx != text.endIndex {
                    throw error(line, column, "unexpected '\(text[scanner.idx...].prefix(20))' after the quoted string")
                }
                return .string(s)
            }
            try Self.checkPlainStart(text, file: file, line: line.number, column: column)
            if let colon = text.unicodeScalars.firstRange(of: ": ".unicodeScalars) {
                let at = column + text.distance(from: text.startIndex, to: colon.lowerBound)
                throw error(line, at, "a second ': ' in a plain value (mapping values are not allowed here; quote the value)")
            }
            return try YAMLSubset.resolvePlain(text, file: file, line: line.number, column: column)
        }

        static func checkPlainStart(_ s: Substring, file: String, line: Int, column: Int) throws {
            guard let c = s.first else { return }
            if s == "-" || s.hasPrefix("- ") || s.hasPrefix("? ") || s.hasPrefix(": ") {
                throw YAMLError(file, line, column, "'\(s.prefix(2))' cannot start a value here (a block sequence or mapping starts on the next line, indented)")
            }
            let what: String?
            switch c {
            case "&": what = "anchors ('&')"
            case "*": what = "aliases ('*')"
            case "!": what = "tags ('!')"
            case "|", ">": what = "block scalars ('|', '>')"
            case "@", "`": what = "'\(c)' at the start of a plain scalar (reserved in YAML)"
            case "%": what = "'%' at the start of a plain scalar"
            default: what = nil
            }
            if let what { throw YAMLError(file, line, column, "\(what) are not supported; quote the value if it is a string") }
        }
    }

    /// Character-level reading of flow collections and quoted scalars.
    struct FlowScanner {
        let text: Substring
        let file: String
        let line: Int
        let column: Int
        var idx: Substring.Index

        init(text: Substring, file: String, line: Int, column: Int) {
            self.text = text
            self.file = file
            self.line = line
            self.column = column
            idx = text.startIndex
        }

        func error(_ message: String) -> YAMLError {
            YAMLError(file, line, column + text.distance(from: text.startIndex, to: idx), message)
        }

        /// Whether every bracket opened outside quotes is closed (to decide on reading more lines).
        func balanced() -> Bool {
            var depth = 0
            var quote: Character? = nil
            var escaped = false
            for c in text {
                if let q = quote {
                    if escaped { escaped = false } else if q == "\"" && c == "\\" { escaped = true } else if c == q { quote = nil }
                    continue
                }
                switch c {
                case "\"", "'": quote = c
                case "[", "{": depth += 1
                case "]", "}": depth -= 1
                default: break
                }
            }
            return depth <= 0
        }

        mutating func skipBlanks() {
            while idx < text.endIndex, text[idx] == " " { idx = text.index(after: idx) }
        }

        var current: Character? { idx < text.endIndex ? text[idx] : nil }

        mutating func value() throws -> ConfigValue {
            skipBlanks()
            switch current {
            case "[": return try flowSequence()
            case "{": return try flowMapping()
            case "\"", "'": return .string(try quoted())
            case nil: throw error("a value is missing")
            default:
                let start = idx
                let raw = plain()
                if raw.isEmpty { return .null }
                try Parser.checkPlainStart(raw, file: file, line: line, column: column + text.distance(from: text.startIndex, to: start))
                return try resolvePlain(raw, file: file, line: line, column: column + text.distance(from: text.startIndex, to: start))
            }
        }

        /// A plain scalar in a flow collection: up to `,`, a bracket, or `: `.
        mutating func plain() -> Substring {
            let start = idx
            while let c = current {
                if ",[]{}".contains(c) { break }
                if c == ":" {
                    let next = text.index(after: idx)
                    if next == text.endIndex || " ,[]{}".contains(text[next]) { break }
                }
                idx = text.index(after: idx)
            }
            return Parser.trimTrailing(text[start..<idx])
        }

        mutating func flowSequence() throws -> ConfigValue {
            idx = text.index(after: idx)
            var out: [ConfigValue] = []
            while true {
                skipBlanks()
                if current == "]" { idx = text.index(after: idx); return .array(out) }
                let v = try value()
                skipBlanks()
                if current == ":" { throw error("single-pair mappings inside a flow sequence ('[a: b]') are not supported; write [{a: b}]") }
                out.append(v)
                switch current {
                case ",": idx = text.index(after: idx)
                case "]": idx = text.index(after: idx); return .array(out)
                case nil: throw error("the flow sequence is not closed with ']'")
                default: throw error("expected ',' or ']' in the flow sequence")
                }
            }
        }

        mutating func flowMapping() throws -> ConfigValue {
            idx = text.index(after: idx)
            var out: [String: ConfigValue] = [:]
            while true {
                skipBlanks()
                if current == "}" { idx = text.index(after: idx); return .dictionary(out) }
                let keyStart = idx
                let key: String
                if current == "\"" || current == "'" {
                    key = try quoted()
                } else {
                    let raw = plain()
                    if raw.isEmpty { throw error("a key is missing in the flow mapping") }
                    let col = column + text.distance(from: text.startIndex, to: keyStart)
                    guard case .string(let s) = try resolvePlain(raw, file: file, line: line, column: col) else {
                        throw YAMLError(file, line, col, "the key '\(raw)' is not a string in YAML 1.1; quote it")
                    }
                    key = s
                }
                skipBlanks()
                var v = ConfigValue.null
                if current == ":" {
                    idx = text.index(after: idx)
                    skipBlanks()
                    if current != "," && current != "}" { v = try value() }
                }
                if out.keys.contains(key) {
                    idx = keyStart
                    throw error("duplicate key '\(key)'")
                }
                out[key] = v
                skipBlanks()
                switch current {
                case ",": idx = text.index(after: idx)
                case "}": idx = text.index(after: idx); return .dictionary(out)
                case nil: throw error("the flow mapping is not closed with '}'")
                default: throw error("expected ',' or '}' in the flow mapping")
                }
            }
        }

        /// A single- or double-quoted scalar on one line.
        mutating func quoted() throws -> String {
            guard let q = current else { throw error("a quoted string is missing") }
            let open = idx
            idx = text.index(after: idx)
            var out = ""
            while true {
                guard let c = current else {
                    idx = open
                    throw error("the string opened here is not closed (quoted strings must end on their line)")
                }
                idx = text.index(after: idx)
                if c == q {
                    if q == "'", current == "'" { out.append("'"); idx = text.index(after: idx); continue }
                    return out
                }
                if q == "\"" && c == "\\" {
                    guard let e = current else { throw error("an escape at the end of the line") }
                    idx = text.index(after: idx)
                    switch e {
                    case "\\": out.append("\\")
                    case "\"": out.append("\"")
                    case "/": out.append("/")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "0": out.append("\0")
                    case " ": out.append(" ")
                    case "u", "x", "U":
                        let n = e == "x" ? 2 : e == "u" ? 4 : 8
                        var hex = ""
                        for _ in 0..<n {
                            guard let h = current, h.isHexDigit else { throw error("'\\\(e)' needs \(n) hexadecimal digits") }
                            hex.append(h)
                            idx = text.index(after: idx)
                        }
                        guard let scalar = UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init) else { throw error("'\\\(e)\(hex)' is not a character") }
                        out.unicodeScalars.append(scalar)
                    default: throw error("the escape '\\\(e)' is not supported")
                    }
                    continue
                }
                out.append(c)
            }
        }
    }

    /// PyYAML's YAML 1.1 implicit types (`resolver.py`) for a plain scalar; forms PyYAML reads as
    /// something other than what they look like, or as types a config cannot hold, are errors.
    static func resolvePlain(_ s: Substring, file: String, line: Int, column: Int) throws -> ConfigValue {
        let t = String(s)
        switch t {
        case "", "~", "null", "Null", "NULL": return .null
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
        case "=": throw YAMLError(file, line, column, "'=' is YAML 1.1's value key, which PyYAML's SafeLoader refuses; quote it")
        default: break
        }
        // Code-point semantics, as the ICU expressions of Foundation's `range(of:options:.regularExpression)`.
        func matches(_ pattern: String) -> Bool {
            (try? Regex("^(?:" + pattern + ")$").matchingSemantics(.unicodeScalar)).map { t.firstMatch(of: $0) != nil } ?? false
        }
        if matches("[-+]?(?:0|[1-9][0-9]*)") {
            guard let v = Int(t.hasPrefix("+") ? String(t.dropFirst()) : t) else {
                throw YAMLError(file, line, column, "the integer \(t) does not fit in 64 bits")
            }
            return .int(v)
        }
        if matches("[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+") {
            throw YAMLError(file, line, column, "'\(t)' is a binary, octal, hexadecimal, base-60 or underscored integer to PyYAML (YAML 1.1); write it in plain decimal, or quote it for a string")
        }
        if matches("[-+]?[0-9]+\\.[0-9]*(?:[eE][-+][0-9]+)?|\\.[0-9]+(?:[eE][-+][0-9]+)?") {
            guard let v = Double(t.hasPrefix(".") ? "0" + t : t) else { throw YAMLError(file, line, column, "'\(t)' is not a number") }
            return .double(v)
        }
        if matches("[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)") {
            throw YAMLError(file, line, column, "'\(t)' is an underscored, base-60, infinite or NaN float to PyYAML (YAML 1.1); these are not supported")
        }
        if matches("[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?") {
            throw YAMLError(file, line, column, "'\(t)' is a date to PyYAML (YAML 1.1); quote it")
        }
        return .string(t)
    }

    static func describe(_ v: ConfigValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return "the boolean \(b)"
        default: return "\(v.typeName) \(v)"
        }
    }
}

/// A YAML error at file:line:column.
package struct YAMLError: Error, CustomStringConvertible {
    package let description: String
    init(_ file: String, _ line: Int, _ column: Int, _ message: String) {
        description = "config '\(file)', line \(line), column \(column): \(message)"
    }
}
