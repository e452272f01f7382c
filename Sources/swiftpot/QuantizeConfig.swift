#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import POT

/// A POT configuration file (`pot -c CONFIG.json` or `.yaml`/`.yml`): `model`, `engine` and `compression` sections,
/// read strictly (an unknown key is an error naming it and the closest valid key).
struct POTConfigFile {
    var modelName: String
    var model: String
    var weights: String?
    var dataSource: String?
    var device = "CPU"
    var algorithms: [AlgorithmConfig] = []

    /// ":line:column" of a byte offset into the text (JSONSerialization's "around character N"), or "".
    static func jsonErrorLocation(_ error: JSONSyntaxError, in text: String) -> String {
        guard let offset = error.offset else { return "" }
        var line = 1, column = 1
        for (k, byte) in text.utf8.enumerated() {
            if k >= offset { break }
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return ":\(line):\(column)"
    }

    init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw OVIRError("config '\(path)': cannot read it: \(fileErrorDescription(error))")
        }
        // POT reads .yaml/.yml with PyYAML and everything else as JSON (utils/config_reader.py).
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        let value: ConfigValue
        if ext == "yaml" || ext == "yml" {
            guard let text = String(data: data, encoding: .utf8) else { throw OVIRError("config '\(path)': not UTF-8 text") }
            value = try YAMLSubset.parse(text, file: path)
        } else {
            // POT's JSON reader (jstyleson) allows // and /* */ comments and trailing commas.
            guard let text = String(data: data, encoding: .utf8) else { throw OVIRError("config '\(path)': not UTF-8 text") }
            let strict = try JSONComments.strip(text, file: path)
            do { value = try ConfigValue.parseJSON(strict) } catch {
                throw OVIRError("config '\(path)'\(Self.jsonErrorLocation(error, in: strict)): not valid JSON (\(error.reason)); a YAML config needs the extension .yaml or .yml")
            }
        }
        guard case .dictionary(let root) = value else { throw OVIRError("config '\(path)': expected a mapping of model, engine and compression sections") }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }

        let r = try ConfigReader(root, path: "config", known: ["model", "engine", "compression"])
        guard let m = try r.dictionary("model") else { throw OVIRError("config: the 'model' section is missing") }
        let mr = try ConfigReader(m, path: "config.model", known: ["model_name", "model", "weights", "cascade"])
        if mr.values["cascade"] != nil { throw OVIRError("config.model.cascade: cascades are not supported by the command line yet") }
        guard let xml = try mr.optionalString("model") else { throw OVIRError("config.model: 'model' (the .xml path) is missing") }
        model = resolve(xml)
        weights = try mr.optionalString("weights").map(resolve)
        modelName = try mr.string("model_name", default: URL(fileURLWithPath: xml).deletingPathExtension().lastPathComponent)

        if let e = try r.dictionary("engine") {
            let er = try ConfigReader(e, path: "config.engine",
                                      known: ["type", "data_source", "device", "layout", "config", "stat_requests_number", "eval_requests_number"])
            let type = try er.string("type", default: "simplified", allowed: ["simplified", "accuracy_checker"])
            if type == "accuracy_checker" || er.values["config"] != nil {
                throw OVIRError("config.engine: the Accuracy Checker engine is not supported; use \"type\": \"simplified\" with a data_source of .npy/.npz data")
            }
            dataSource = try er.optionalString("data_source").map(resolve)
            device = try er.string("device", default: "CPU")
            _ = try er.optionalString("layout")
            _ = try er.int("stat_requests_number", default: 1)
            _ = try er.int("eval_requests_number", default: 1)
        }
        guard let c = try r.dictionary("compression") else { throw OVIRError("config: the 'compression' section is missing") }
        let cr = try ConfigReader(c, path: "config.compression",
                                  known: ["target_device", "model_type", "inplace_statistics", "dump_intermediate_model", "algorithms"])
        guard case .array(let algos)? = cr.values["algorithms"], !algos.isEmpty else {
            throw OVIRError("config.compression.algorithms: expected a non-empty list of {\"name\": …, \"params\": {…}}")
        }
        // POT copies these compression-level settings into every algorithm's params (configs/config.py).
        var shared: [String: ConfigValue] = [:]
        for k in ["target_device", "model_type", "inplace_statistics", "dump_intermediate_model"] {
            if let v = cr.values[k] { shared[k] = v }
        }
        for (i, a) in algos.enumerated() {
            guard case .dictionary(let ad) = a else { throw OVIRError("config.compression.algorithms[\(i)]: expected an object") }
            let ar = try ConfigReader(ad, path: "config.compression.algorithms[\(i)]", known: ["name", "params"])
            guard let name = try ar.optionalString("name") else { throw OVIRError("config.compression.algorithms[\(i)]: 'name' is missing") }
            var params = try ar.dictionary("params") ?? [:]
            for (k, v) in shared where params[k] == nil { params[k] = v }
            algorithms.append(AlgorithmConfig(name: name, params: params))
        }
    }
}
