import Foundation
import Testing
import _TestSupport

/// `swiftpot quantize -c CONFIG` with the same POT configuration as JSON and as YAML.
@Suite(.enabled(if: convertCLIBinary != nil, "the swiftpot executable is not built"))
struct QuantizeConfigCLITests {
    static func config(_ out: String, yaml: Bool, typo: Bool = false) -> String {
        let model = Fixtures.path("pot/digits/digits.xml"), data = Fixtures.path("pot/digits/x.npy")
        let size = typo ? "stat_subset_sise" : "stat_subset_size"
        if yaml {
            return """
            # the digits model, quantized as in the JSON config
            model:
              model_name: \(out)
              model: '\(model)'
            engine:
              type: simplified
              data_source: '\(data)'
            compression:
              target_device: CPU
              algorithms:
              - name: DefaultQuantization
                params:
                  preset: performance
                  \(size): 40
                  ignored:
                    scope: [fc]
            """
        }
        return """
        {"model": {"model_name": "\(out)", "model": "\(model)"},
         "engine": {"type": "simplified", "data_source": "\(data)"},
         "compression": {"target_device": "CPU", "algorithms": [{"name": "DefaultQuantization",
           "params": {"preset": "performance", "\(size)": 40, "ignored": {"scope": ["fc"]}}}]}}
        """
    }

    /// The JSON config with POT's tolerated extras (jstyleson): comments and trailing commas.
    static func commentedJSON(_ out: String) -> String {
        let model = Fixtures.path("pot/digits/digits.xml"), data = Fixtures.path("pot/digits/x.npy")
        return """
        { // the digits model
          "model": {"model_name": "\(out)", "model": "\(model)",},
          /* engine: the simplified one,
             reading .npy samples */
          "engine": {"type": "simplified", "data_source": "\(data)"},
          "compression": {"target_device": "CPU", "algorithms": [{"name": "DefaultQuantization",
            "params": {"preset": "performance", "stat_subset_size": 40, "ignored": {"scope": ["fc",]}}},]}}
        """
    }

    @Test func commentedJSONConfigQuantizesLikeStrictJSON() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in [("json", Self.config("json", yaml: false)), ("jsonc", Self.commentedJSON("jsonc"))] {
            let path = dir.appendingPathComponent("\(name).config.json").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try runConvertCLI(["quantize", "-c", path, "--output-dir", dir.path])
            #expect(r.status == 0, "\(name): \(r.stderr)")
        }
        let a = try String(contentsOf: dir.appendingPathComponent("json.xml"), encoding: .utf8)
        let b = try String(contentsOf: dir.appendingPathComponent("jsonc.xml"), encoding: .utf8)
        #expect(a.replacingOccurrences(of: "name=\"json\"", with: "") == b.replacingOccurrences(of: "name=\"jsonc\"", with: ""))
        #expect(try Data(contentsOf: dir.appendingPathComponent("json.bin")) == Data(contentsOf: dir.appendingPathComponent("jsonc.bin")))

        // a syntax error names the file, line and column; an unclosed comment names where it starts
        let bad = dir.appendingPathComponent("bad.json").path
        try "{\n  \"model\": {\"model\": \"a.xml\"}\n  \"engine\": {}\n}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r1 = try runConvertCLI(["quantize", "-c", bad])
        #expect(r1.status != 0 && r1.stderr.contains("config '\(bad)':3:"), "\(r1.stderr)")
        try "{\n  /* not closed\n  \"model\": {}\n}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r2 = try runConvertCLI(["quantize", "-c", bad])
        #expect(r2.status != 0 && r2.stderr.contains("\(bad):2: a /* comment is not closed"), "\(r2.stderr)")
    }

    @Test func yamlConfigQuantizesLikeJSON() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, yaml) in [("json", false), ("yaml", true)] {
            let path = dir.appendingPathComponent("config.\(name == "json" ? "json" : "yml")").path
            try Self.config(name, yaml: yaml).write(toFile: path, atomically: true, encoding: .utf8)
            let r = try runConvertCLI(["quantize", "-c", path, "--output-dir", dir.path])
            #expect(r.status == 0, "\(name): \(r.stderr)")
        }
        let a = try String(contentsOf: dir.appendingPathComponent("json.xml"), encoding: .utf8)
        let b = try String(contentsOf: dir.appendingPathComponent("yaml.xml"), encoding: .utf8)
        #expect(a.components(separatedBy: "type=\"FakeQuantize\"").count - 1 == 4)   // fc ignored: 6 - 2
        #expect(a.replacingOccurrences(of: "name=\"json\"", with: "") == b.replacingOccurrences(of: "name=\"yaml\"", with: ""))
        #expect(try Data(contentsOf: dir.appendingPathComponent("json.bin")) == Data(contentsOf: dir.appendingPathComponent("yaml.bin")))

        // errors name the YAML line, or the config key and the closest valid one
        let bad = dir.appendingPathComponent("bad.yaml").path
        try "model:\n  model: a.xml\n  model: b.xml\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r1 = try runConvertCLI(["quantize", "-c", bad])
        #expect(r1.status != 0 && r1.stderr.contains("config '\(bad)', line 3, column 3: duplicate key 'model'"), "\(r1.stderr)")
        try Self.config("typo", yaml: true, typo: true).write(toFile: bad, atomically: true, encoding: .utf8)
        let r2 = try runConvertCLI(["quantize", "-c", bad, "--output-dir", dir.path])
        #expect(r2.status != 0 && r2.stderr.contains("unknown parameter 'stat_subset_sise'; did you mean 'stat_subset_size'?"), "\(r2.stderr)")
    }
}
