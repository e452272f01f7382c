import Foundation
import Testing
@testable import POTCore
import _TestSupport

/// SwiftPOT's JSON reader and writer (Sources/POTCore/API/JSON.swift) against JSONSerialization,
/// which this test process loads: same values, same errors (reason and offset), same written text.
@Suite("JSON without Foundation, as JSONSerialization")
struct JSONTests {
    /// ConfigValue of JSONSerialization's result, typed by objCType as the CLI typed it before.
    static func foundationValue(_ json: Any) -> ConfigValue {
        switch json {
        case let s as String: return .string(s)
        case let n as NSNumber:
            switch String(cString: n.objCType) {
            case "c", "B": return .bool(n.boolValue)
            case "d", "f": return .double(n.doubleValue)
            default: return .int(n.intValue)
            }
        case let a as [Any]: return .array(a.map(foundationValue))
        case let d as [String: Any]: return .dictionary(d.mapValues(foundationValue))
        default: return .null
        }
    }

    enum Outcome: Equatable { case success(ConfigValue), failure(String) }

    /// JSONSerialization's outcome for a text: the value, or its error's debug description.
    static func foundation(_ text: String) -> Outcome {
        do {
            return .success(foundationValue(try JSONSerialization.jsonObject(with: Data(text.utf8))))
        } catch {
            return .failure((error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)")
        }
    }

    static func ours(_ text: String) -> Outcome {
        do { return .success(try ConfigValue.parseJSON(text)) } catch { return .failure(error.description) }
    }

    static let corpus: [String] = [
        // valid
        "{}", "[]", " {\"a\": 1} ", "[1,]", "{\"a\": 1,}", "{\"a\":1,\"a\":2}", "\u{feff}{}", "[\"\\u0000\", \"\\ud83d\\ude00\", \"\\/\\b\\f\\n\\r\\t\\\"\\\\\"]",
        "[-0, 0e0, 1E+2, 1e-2, 2.0, 2, 9223372036854775807, 1.0e0, 0.1, 1.5e300]",
        "[1.5.3]", "[1-2]", "[1e5e3]", "[0e]", "[-.5]", "[-e]", "[-00]", "[1.0-]", "1x", "[1x]", "{\"a\": 0.5e}", "[\"\\ud800\\\"]",
        "{\"model\": {\"model_name\": \"m\", \"model\": \"m.xml\"}, \"compression\": {\"algorithms\": [{\"name\": \"DefaultQuantization\", \"params\": {\"preset\": \"performance\", \"stat_subset_size\": 300, \"x\": null, \"y\": true, \"z\": false}}]}}",
        "[\"é\", \"日本\", \"\u{7f}\"]", "[1]\n\n  ", "[[[[]]]]",
        String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
        // invalid
        "", "   ", "x", "1", "  1", "\"x\"", "true", "tru", "1 x", "[1] [2]", "{\"a\": 1} x",
        "{\n  \"model\": {\"model\": \"a.xml\"}\n  \"engine\": {}\n}\n", "{\"a\": tru}", "{\"a\": trux}", "{\"a\": tru }", "{\"a\": xyz}",
        "{\"a\": nulx}", "{\"a\": fals}", "[tru]", "[truee]", "[true", "[t", "[nul", "[nulll]", "[falsey]",
        "[1 2]", "{\"a\" 1}", "{a: 1}", "{\"a\": \"x", "{\"a\": 01}", "{\"a\": -}", "{\"a\": 1.}", "{\"a\": \"\\q\"}",
        "{\"a\": \"\u{1}\"}", "[\"\t\"]", "{\"a\": [1,]}", "{\"a\": 1e}", "{\"a\": 1e999}", "{\"a\": -1e999}", "{\"a\": .5}", "{\"a\": +1}",
        "[", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "[1,", "[-", "[1.", "[1e", "[1e+", "[\"\\u12G4\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]",
        "[\"\\ud800x\"]", "[\"\\u00\"]", "[\"\\u", "[\"\\", "[\"\\u+123\"]", "[1, \"\\uzzzz\"]", "[\"\\ud800\"]", "[\"\\ud800\\u12\"]",
        String(repeating: "[", count: 513) + String(repeating: "]", count: 513), "[1,,2]", "[,]", "{,}", "{\"a\":1,,}", "[1]]",
        "{\"a\":1}}", "\n\n[1, x]", "[\"é\", x]", "{\"a\":{\"b\":[1,{\"c\":tru}]}}", "[-a]", "[0x1]", "[00]", "[-01]", "[1.e5]",
        "[1E5.0]", "[Infinity]", "[NaN]", "{\"a\"}", "{\"a\":}", "{1:2}", "{\"a\":1 \"b\":2}", "[\"a\" \"b\"]", "[1\n,\n2 3]",
        "\u{feff}\u{feff}{}", "\u{feff}[1, x]", "{}\u{0}",
    ]

    @Test func parserMatchesJSONSerialization() {
        for text in Self.corpus {
            let expected = Self.foundation(text), got = Self.ours(text)
            switch (expected, got) {
            case (.success(let a), .success(let b)):
                // NaN-free corpus: plain equality (doubles compared bit-exactly through ==)
                #expect(a == b, "\(text.prefix(60).debugDescription)")
            default:
                #expect(expected == got, "\(text.prefix(60).debugDescription)")
            }
        }
        // the error the CLI reports for a missing comma names line 3, column 3
        if case .failure(let e) = Self.ours("{\n  \"model\": {\"model\": \"a.xml\"}\n  \"engine\": {}\n}\n") {
            #expect(e == "Invalid value around character 34.")
        } else { Issue.record("not an error") }
    }

    /// Numbers are read as Python's `json` reads them (what POT reads its configs with), where
    /// JSONSerialization differs: integers past Int64 (it wrapped 2^63...2^64-1 to negative) and texts
    /// of more than 17 digits (its Decimal path is not correctly rounded). Expected values: printed by
    /// `json.loads` in Python 3 (ints within Int64 as .int, other values as repr(float(v))).
    @Test func numbersReadAsPythonJSON() {
        let cases: [(String, [ConfigValue])] = [
            ("[-0, -0.0, 0e0, 1E+2, 1e-2, 2.0, 2, 9223372036854775807, 9223372036854775808, 18446744073709551616, -9223372036854775807, -9223372036854775808, 1.0e0, 0.1, 123456789012345678901234567890, 1.5e300, 1e-400]",
             [.int(0), .double(-0.0), .double(0.0), .double(100.0), .double(0.01), .double(2.0), .int(2), .int(9223372036854775807), .double(9.223372036854776e+18), .double(1.8446744073709552e+19), .int(-9223372036854775807), .int(-9223372036854775808), .double(1.0), .double(0.1), .double(1.2345678901234568e+29), .double(1.5e+300), .double(0.0)]),
            ("[0.30000000000000004, 0.1234567890123456789, 1.0000000000000002, 123.45678901234567, -0.30000000000000004, 2.2250738585072014e-308, 12345678901234567890.5, 1.2345678901234567e5, 1.23456789012345678E5, 0.015367812902771079905, 1234567890123456789012345678901234567890123, 0.1234567890123456789012345678901234567890123, 99999999999999999999, -99999999999999999999e-3]",
             [.double(0.30000000000000004), .double(0.12345678901234568), .double(1.0000000000000002), .double(123.45678901234567), .double(-0.30000000000000004), .double(2.2250738585072014e-308), .double(1.2345678901234567e+19), .double(123456.78901234567), .double(123456.78901234567), .double(0.01536781290277108), .double(1.2345678901234567e+42), .double(0.12345678901234568), .double(1e+20), .double(-1e+17)]),
        ]
        for (text, expected) in cases {
            guard case .success(.array(let got)) = Self.ours(text) else { Issue.record("not an array: \(text)"); continue }
            #expect(got.count == expected.count)
            for (g, e) in zip(got, expected) {
                switch (g, e) {
                case (.int(let a), .int(let b)): #expect(a == b)
                case (.double(let a), .double(let b)): #expect(a.bitPattern == b.bitPattern || (a == 0 && b == 0), "\(a) vs \(b)")
                default: Issue.record("\(g) is not typed as \(e)")
                }
            }
        }
        // 0.30000000000000004 is not 0.3000000000000001 (JSONSerialization's reading)
        #expect(Self.ours("[0.30000000000000004]") == .success([.double(0.1 + 0.2)]))
    }

    @Test func configValueOfJSONSerializationOutputKeepsTypes() throws {
        let text = #"{"a": true, "b": 3, "c": 0.5, "d": ["x", false, 0, 1, 2.0, 1e2, -0], "e": null, "f": {"g": 123456789012345678901234567890}, "h": [9007199254740993, 0.30000000000000004, 18446744073709551615, -9223372036854775807]}"#
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let v = try ConfigValue(json: json)
        #expect(v == Self.foundationValue(json))
        // our reader differs from JSONSerialization on "h" only (see numbersReadAsPythonJSON)
        #expect(try ConfigValue.parseJSON(text) == ["a": true, "b": 3, "c": 0.5, "d": ["x", false, 0, 1, 2.0, 100.0, 0], "e": nil,
                      "f": ["g": .double(123456789012345678901234567890.0)],
                      "h": [9007199254740993, 0.30000000000000004, 18446744073709551615.0, -9223372036854775807]])
        #expect(v == ["a": true, "b": 3, "c": 0.5, "d": ["x", false, 0, 1, 2.0, 100.0, 0], "e": nil,
                      "f": ["g": .double(123456789012345678901234567890.0)],
                      "h": [9007199254740993, 0.3000000000000001, -1, -9223372036854775807.0]])
        // plain Swift values
        #expect(try ConfigValue(json: ["k": [1, 2.5, true, "s"] as [Any]] as [String: Any]) == ["k": [1, 2.5, true, "s"]])
    }

    /// Random documents of the kinds the CLI writes.
    static func randomDocument(_ rng: inout SplitMix, depth: Int = 0) -> Any {
        func key() -> String {
            let alphabet = Array("abcdefghijklmnopqrstuvwxyz_0123456789ABZ")
            return String((0..<(1 + Int(rng.next() % 12))).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        }
        switch rng.next() % (depth > 2 ? 5 : 7) {
        case 0: return Int(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 63))
        case 1:
            let d = Double(bitPattern: rng.next())
            return d.isFinite ? d : Double(rng.next() % 1000) / 8
        case 2:
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            return Double(f.isFinite ? f : 0.5)
        case 3: return rng.next() % 2 == 0
        case 4:
            let pieces = ["a", "/", "\"", "\\", "\n", "\t", "\r", "\u{1}", "\u{8}", "\u{c}", "\u{1f}", "\u{7f}", "é", "日", "😀", " ", "x.xml"]
            return (0..<Int(rng.next() % 6)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
        case 5: return (0..<Int(rng.next() % 4)).map { _ in randomDocument(&rng, depth: depth + 1) }
        default:
            var d: [String: Any] = [:]
            for _ in 0..<Int(rng.next() % 5) { d[key()] = randomDocument(&rng, depth: depth + 1) }
            return d
        }
    }

    @Test func writerMatchesJSONSerialization() throws {
        var rng = SplitMix(seed: 11)
        var checked = 0
        for _ in 0..<3000 {
            let doc: Any = ["root": Self.randomDocument(&rng), "shape": [1, 3, 224, 224], "values": [0.1, -2.5, 1e-05, 3.0],
                            "empty": [] as [Any], "none": [:] as [String: Any], "p90_ms": 1.25, "peak_rss_bytes": 1 << 30]
            for pretty in [false, true] {
                let expected = String(decoding: try JSONSerialization.data(withJSONObject: doc, options: pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]), as: UTF8.self)
                #expect(try jsonText(doc, pretty: pretty) == expected)
                checked += 1
            }
        }
        #expect(checked == 6000)
        // the order of keys: punctuation, then digits by value, then letters ignoring case
        let keys = ["b", "B", "a", "_", "10", "9", "a_b", "ab", "a0", "Z", "p90_ms", "peak_rss_bytes", "min_ms", "median_ms", "mean_ms"]
        let obj = Dictionary(uniqueKeysWithValues: keys.map { ($0, 1) })
        #expect(try jsonText(obj) == String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
        #expect(try jsonText(["x": 1.0, "y": [true, false], "z": "a/b"] as [String: Any]) == #"{"x":1,"y":[true,false],"z":"a\/b"}"#)
    }

    @Test func nonFiniteNumbersAreClearErrorsAndNullIsWritten() throws {
        for (v, text) in [(Double.infinity, "inf"), (-.infinity, "-inf"), (.nan, "nan")] {
            #expect(throws: JSONWriteError.self) { _ = try jsonText(["a": v]) }
            do { _ = try jsonText(["a": v]) } catch {
                #expect(String(describing: error) == "cannot write the number \(text) as JSON (JSON numbers are finite)")
            }
        }
        #expect(try jsonText(["a": JSONNull(), "b": [1.5, JSONNull()] as [Any]] as [String: Any]) == #"{"a":null,"b":[1.5,null]}"#)
    }
}
