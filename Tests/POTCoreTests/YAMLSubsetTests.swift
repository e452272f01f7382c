import Foundation
import Testing
import POTCore
import _TestSupport

/// SwiftPOT's YAML subset reader against PyYAML's SafeLoader (what POT reads `.yaml` configs with):
/// fixtures/yaml/<name>.yaml and PyYAML's result <name>.json (scripts/make_yaml_fixtures.py), and the
/// errors for everything outside the subset.
@Suite("YAML configs")
struct YAMLSubsetTests {
    /// PyYAML's result as written by make_yaml_fixtures.py: floats are {"float": x}.
    static func value(_ json: Any) throws -> ConfigValue {
        if let d = json as? [String: Any], d.count == 1, let x = d["float"] as? Double { return .double(x) }
        if let d = json as? [String: Any] { return .dictionary(try d.mapValues(value)) }
        if let a = json as? [Any] { return .array(try a.map(value)) }
        return try ConfigValue(json: json)
    }

    @Test(arguments: ["pot_config", "shapes", "scalars"])
    func readsAsPyYAML(name: String) throws {
        let yaml = try String(contentsOf: Fixtures.url("yaml/\(name).yaml"), encoding: .utf8)
        let expected = try Self.value(JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("yaml/\(name).json"))))
        let ours = try YAMLSubset.parse(yaml, file: "\(name).yaml")
        #expect(ours == expected)
        if ours != expected, case .dictionary(let a) = ours, case .dictionary(let b) = expected {
            for k in Set(a.keys).union(b.keys) where a[k] != b[k] { Issue.record("\(k): ours \(String(describing: a[k])), PyYAML \(String(describing: b[k]))") }
        }
    }

    @Test func emptyDocumentIsNull() throws {
        #expect(try YAMLSubset.parse("# nothing\n\n", file: "e.yaml") == .null)
    }

    @Test(arguments: [
        ("a:\n\tb: 1\n", "line 2, column 1: a tab in the indentation"),
        ("a: &x 1\n", "line 1, column 4: anchors ('&') are not supported"),
        ("a: *x\n", "aliases ('*')"),
        ("a: !!str 1\n", "tags ('!')"),
        ("a: |\n  text\n", "block scalars"),
        ("a: 1\na: 2\n", "line 2, column 1: duplicate key 'a'"),
        ("a: {b: 1, b: 2}\n", "duplicate key 'b'"),
        ("a:\n  b: 1\n   c: 2\n", "line 3, column 4: unexpected indentation"),
        ("a: [1, 2\n", "line 1, column 4: the flow collection opened here is not closed"),
        ("a: \"open\n", "line 1, column 4: the string opened here is not closed"),
        ("a: 012\n", "'012' is a binary, octal, hexadecimal"),
        ("a: 0x1F\n", "'0x1F'"),
        ("a: 1_000\n", "underscored"),
        ("a: 1:30\n", "base-60"),
        ("a: .inf\n", "infinite or NaN"),
        ("a: 2024-01-02\n", "'2024-01-02' is a date"),
        ("a: b: c\n", "line 1, column 5: a second ': '"),
        ("a: 1\n---\nb: 2\n", "a second document"),
        ("on: 1\n", "the key 'on' is not a string in YAML 1.1 (PyYAML reads it as the boolean true); quote it"),
        ("a: plain\n  continued\n", "multi-line plain scalars are not supported"),
        ("? a\n: b\n", "complex keys"),
        ("a: - b\n", "'- ' cannot start a value here"),
        ("a: [b: 1]\n", "single-pair mappings inside a flow sequence"),
        ("a: \"\\q\"\n", "the escape '\\q' is not supported"),
        ("<<: {a: 1}\n", "merge keys"),
    ])
    func refusesWhatIsOutsideTheSubset(yaml: String, message: String) {
        let e = errorText { _ = try YAMLSubset.parse(yaml, file: "c.yaml") }
        #expect(e?.contains(message) == true, "\(yaml.debugDescription): \(e ?? "no error")")
        #expect(e?.hasPrefix("config 'c.yaml', line ") == true)
    }

    func errorText(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return String(describing: error) }
        return nil
    }
}
