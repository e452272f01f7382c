import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OVIR
import POT

struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Post-training quantization (POT's DefaultQuantization) on the CPU interpreter.",
        discussion: """
        Either a POT configuration file (-c CONFIG.json or CONFIG.yaml: model / engine / compression sections; the engine's \
        data_source is DATA), or flags. DATA is a .npy whose axis 0 indexes samples, a directory of .npy files \
        (one sample each, in file-name order), or an .npz with one array per model input name. Writes \
        OUT/NAME.xml and OUT/NAME.bin; progress goes to stderr, the summary to stdout.
        """)

    @Option(name: [.short, .customLong("config")], help: "A POT configuration file (JSON, or YAML when named .yaml/.yml).") var config: String?
    @Option(help: "The FP32 model's IR .xml file.") var model: String?
    @Option(help: "The weights file (default: the .bin beside the .xml).") var weights: String?
    @Option(help: "Calibration data: .npy (axis 0 = samples), a directory of .npy, or .npz by input name.") var data: String?
    @Option(help: "performance (symmetric) or mixed (asymmetric activations).") var preset: String = "performance"
    @Option(name: .customLong("subset-size"), help: "Calibration samples used for statistics (stat_subset_size).") var subsetSize: Int = 300
    @Option(name: .customLong("target-device"), help: "CPU, ANY or GPU.") var targetDevice: String = "CPU"
    @Option(name: .customLong("model-type"), help: "transformer, for transformer models.") var modelType: String?
    @Option(name: .customLong("ignored-scope"), parsing: .upToNextOption, help: "Layer names never quantized.") var ignoredScope: [String] = []
    @Option(name: .customLong("ignored-type"), parsing: .upToNextOption, help: "Op types never quantized.") var ignoredType: [String] = []
    @Option(help: "DefaultQuantization (AccuracyAwareQuantization is not available yet).") var algorithm: String = "DefaultQuantization"
    @Option(name: .customLong("max-drop"), help: "AccuracyAwareQuantization's maximal metric drop.") var maxDrop: Double?
    @Option(help: "AccuracyAwareQuantization's metric: top1 or cosine.") var metric: String?
    @Option(help: "Labels (.npy) for --metric top1.") var labels: String?
    @Option(name: .customLong("output-dir"), help: "Where to write NAME.xml/.bin.") var outputDir: String = "results"
    @Option(help: "Output model name (default: the model's name).") var name: String?
    @Option(help: "Interpreter threads (default: the number of CPU cores).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Print a JSON report on stdout.") var json = false
    /// DEVELOPER-ONLY, hidden and outside the CLI contract: statistics inference with OpenVINO-CPU-like
    /// bf16 rounding (pot-statistics | every-tensor), to study goldens POT made on bf16 hardware
    /// (scripts/bf16_golden_study.py, docs/POT_ALGORITHMS.md).
    @Option(name: .customLong("dev-emulate-bf16"), help: .hidden) var devEmulateBF16: String = "off"
    /// DEVELOPER-ONLY, hidden: POT's in-place channel alignment without SwiftPOT's exactness guard
    /// (`DefaultQuantization.potExactAlignment`), to compare palm_detection_lite with POT's golden.
    @Flag(name: .customLong("dev-pot-exact-alignment"), help: .hidden) var devPOTExactAlignment = false

    func run() throws {
        try runReportingErrors {
            let start = Date()
            let job = try makeJob()
            log("quantize: loading \(job.model)")
            let loaded = try loadModel(ModelConfig(modelName: job.name, model: job.model, weights: job.weights))
            let loader = try NumpyDataLoader(path: job.data, inputs: loaded.graph.modelInputs)
            log("quantize: \(loader.count) calibration samples from \(job.data)")
            var engineConfig = EngineConfig(device: job.device, threads: max(1, threads))
            guard let bf16 = BF16Emulation(rawValue: devEmulateBF16) else {
                throw OVIRError("--dev-emulate-bf16: expected one of \(BF16Emulation.allCases.map(\.rawValue).joined(separator: ", ")), found '\(devEmulateBF16)'")
            }
            engineConfig.bf16Emulation = bf16
            if bf16 != .off { log("quantize: DEVELOPER MODE: statistics inference emulates OpenVINO bf16 (\(bf16.rawValue))") }
            let engine = IEEngine(config: engineConfig, dataLoader: loader)
            var current = loaded
            var notes: [[String: Any]] = []
            for a in job.algorithms {
                let algo = try makeAlgorithm(a)
                log("quantize: running \(a.name)")
                current = try algo.run(current, engine: engine)
                if let d = algo as? DefaultQuantization { notes += Self.notes(d) }
            }
            log("quantize: writing \(outputDir)/\(job.name).xml")
            let saved = try saveModel(current, savePath: outputDir, modelName: job.name)
            let seconds = Date().timeIntervalSince(start)
            try report(current.graph, output: saved.first?.model ?? "", seconds: seconds, notes: notes)
        }
    }

    struct Job {
        var model: String, weights: String?, data: String, name: String, device: String
        var algorithms: [AlgorithmConfig]
    }

    func makeJob() throws -> Job {
        if let config {
            let file = try POTConfigFile(path: config)
            guard let dataPath = data ?? file.dataSource else {
                throw OVIRError("config '\(config)': no calibration data: set engine.data_source or pass --data")
            }
            return Job(model: file.model, weights: file.weights, data: dataPath, name: name ?? file.modelName,
                       device: file.device, algorithms: file.algorithms)
        }
        guard let model else { throw OVIRError("--model is required (or -c CONFIG.json)") }
        guard let data else { throw OVIRError("--data is required (or -c CONFIG.json)") }
        guard algorithm == "DefaultQuantization" else {
            throw OVIRError("--algorithm \(algorithm): only DefaultQuantization is available in this version")
        }
        guard subsetSize > 0 else { throw OVIRError("--subset-size: expected a positive number, found \(subsetSize)") }
        var params: [String: ConfigValue] = ["preset": .string(preset), "stat_subset_size": .int(subsetSize),
                                             "target_device": .string(targetDevice)]
        if let modelType { params["model_type"] = .string(modelType) }
        if !ignoredScope.isEmpty || !ignoredType.isEmpty {
            params["ignored"] = .dictionary(["scope": .array(ignoredScope.map { .string($0) }),
                                             "operations": .array(ignoredType.map { .dictionary(["type": .string($0)]) })])
        }
        let stem = URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
        return Job(model: model, weights: weights, data: data, name: name ?? stem, device: "CPU",
                   algorithms: [AlgorithmConfig(name: algorithm, params: params)])
    }

    func makeAlgorithm(_ a: AlgorithmConfig) throws -> any Algorithm {
        switch a.name {
        case "DefaultQuantization":
            let d = try DefaultQuantization(config: a)
            d.printProgress = true
            d.potExactAlignment = devPOTExactAlignment
            return d
        case "MinMaxQuantization":
            let m = try MinMaxQuantization(config: a)
            m.printProgress = true
            return m
        default:
            let known = ["DefaultQuantization", "MinMaxQuantization"]
            let hint = closestName(to: a.name, in: known).map { "; did you mean '\($0)'?" } ?? ""
            throw OVIRError("algorithm '\(a.name)' is not available\(hint) (available: \(known.joined(separator: ", ")))")
        }
    }

    /// The summary on stdout (text, or JSON with per-layer ranges).
    /// Per-layer notes of DefaultQuantization: channel alignment pairs and bias corrections.
    static func notes(_ d: DefaultQuantization) -> [[String: Any]] {
        d.alignedPairs.map { ["layer": $0.1, "note": "activation channels aligned with producer \($0.0)"] } +
            d.alignmentNotes.map { n in
                ["layer": n.nodeOut, "note": "deviates from POT: channel alignment with \(n.nodeIn) \(n.skipped ? "skipped" : "made exact"): \(n.reason)",
                 "deviation": "channel_alignment_guard"]
            } +
            d.corrections.map { c in
                ["layer": c.op, "note": c.applied ? "bias corrected" : "bias kept (relative change \(c.magnitude) over the threshold)",
                 "magnitude": c.magnitude.isFinite ? c.magnitude : -1, "input_means": c.inputMeans, "output_means": c.outputMeans,
                 "quantized_output_means": c.quantizedOutputMeans]
                    .merging(c.subgraphInputs.isEmpty && c.subgraphOutputs.isEmpty ? [:] :
                             ["subgraph_inputs": c.subgraphInputs, "subgraph_outputs": c.subgraphOutputs]) { a, _ in a }
            }
    }

    func report(_ g: Graph, output: String, seconds: Double, notes: [[String: Any]]) throws {
        let fqs = g.nodes.filter { $0.type == "FakeQuantize" }
        var layers: [[String: Any]] = []
        for fq in fqs {
            var entry: [String: Any] = ["name": fq.name, "levels": Int(fq.attributes["levels"] ?? "") ?? 0]
            entry["kind"] = fq.inputs.first?.source?.node.type == "Const" ? "weights" : "activations"
            entry["consumers"] = g.consumers(of: fq.output(0)).map { ["name": $0.node.name, "port": $0.input] as [String: Any] }
            for (k, key) in ["input_low", "input_high", "output_low", "output_high"].enumerated() where k + 1 < fq.inputs.count {
                if let c = fq.inputs[k + 1].source?.node.constant {
                    entry[key] = ["shape": c.shape, "values": c.doubleValues()] as [String: Any]
                }
            }
            layers.append(entry)
        }
        let weightsCount = layers.filter { $0["kind"] as? String == "weights" }.count
        if json {
            let obj: [String: Any] = ["fake_quantize": fqs.count, "fake_quantize_weights": weightsCount,
                                      "fake_quantize_activations": fqs.count - weightsCount,
                                      "seconds": (seconds * 1000).rounded() / 1000, "output": output, "layers": layers,
                                      "notes": notes, "peak_rss_bytes": ProcessMemory.peakRSSBytes()]
            print(try jsonText(obj))
        } else {
            print("\(fqs.count) FakeQuantize (\(weightsCount) weights, \(fqs.count - weightsCount) activations) in \(cFormat("%.2f", seconds)) s -> \(output)")
            for n in notes { print("  \(n["layer"] as? String ?? ""): \(n["note"] as? String ?? "")") }
        }
    }
}
