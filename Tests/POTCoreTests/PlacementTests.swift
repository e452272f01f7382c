import Foundation
import Testing
import OVIR
import POTCore
import _TestSupport

/// Quantizer placement against the real POT 2023.3: the FakeQuantize nodes of POT's INT8 IR
/// (fixtures/models/<model>/pot/fq.json, and fixtures/pot/<model>/fq.json for the extra models made by
/// scripts/make_pot_fixtures.py), keyed by the layer input each one feeds.
@Suite("Quantizer placement vs POT")
struct PlacementTests {
    struct GoldenFQ {
        var name: String
        var levels: Int
        var kind: String
        var shape: [Int]
        var keys: [EdgeRef]
        var rescaled: Bool
        /// Whether POT's quantizer is symmetric, as its ranges show: weights `low == -high`; per-tensor
        /// activations by the range shape (POT keeps symmetric ones scalar, asymmetric ones all-ones of the
        /// input rank); per-channel activations `low == -high * levels / (levels - 2)` or nil when every
        /// `low` is 0, which both modes produce for non-negative data.
        var symmetricForm: Bool?
    }

    /// POT's quantizers, keyed by consumer. For GroupConvolution weights POT's IR has the FakeQuantize
    /// before a Reshape it created (absent from the FP32 IR); those are keyed by the convolution's port 1.
    static func golden(_ path: String, graph: Graph) throws -> (params: [String: Any], fqs: [GoldenFQ]) {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        var out: [GoldenFQ] = []
        for f in json["fake_quantize"] as? [[String: Any]] ?? [] {
            var keys: [EdgeRef] = []
            let guards = (f["guards"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            for c in f["consumers"] as? [[String: Any]] ?? [] {
                let name = c["name"] as? String ?? "", port = c["port"] as? Int ?? -1
                if graph.node(named: name) == nil, c["type"] as? String == "Reshape", let g = guards.first {
                    keys.append(EdgeRef(g, 1))
                } else {
                    keys.append(EdgeRef(name, port))
                }
            }
            let il = f["input_low"] as? [String: Any] ?? [:], ih = f["input_high"] as? [String: Any] ?? [:]
            let oh = f["output_high"] as? [String: Any] ?? [:]
            let ihv = ih["values"] as? [Double] ?? [], ohv = oh["values"] as? [Double] ?? []
            let ilv = il["values"] as? [Double] ?? [], levels = Double(f["levels"] as? Int ?? 256)
            let shape = il["shape"] as? [Int] ?? []
            // Compressed (f16) weights: POT saves Const → Convert ("…/restored_convert") → FakeQuantize.
            let producer = f["producer"] as? [String: Any] ?? [:]
            let restored = producer["type"] as? String == "Convert" && (producer["name"] as? String ?? "").hasSuffix("/restored_convert")
            let isWeights = restored || f["kind"] as? String == "weights"
            let doubled = !ihv.isEmpty && zip(ihv, ohv).allSatisfy { abs($1 - 2 * $0) <= 1e-6 * max(1, abs($1)) }
                && ihv.contains { $0 != 0 }
            let symmetricForm: Bool?
            if isWeights {
                symmetricForm = zip(ilv, ihv).allSatisfy { abs($0 + $1) <= 1e-6 * abs($1) }
            } else if shape.allSatisfy({ $0 == 1 }) {
                symmetricForm = shape.isEmpty
            } else {
                symmetricForm = ilv.allSatisfy({ $0 == 0 }) ? nil : zip(ilv, ihv).allSatisfy { low, high in
                    low == 0 || abs(low + high * levels / (levels - 2)) <= 1e-5 * abs(high)
                }
            }
            out.append(GoldenFQ(name: f["name"] as? String ?? "", levels: f["levels"] as? Int ?? 0,
                                kind: isWeights ? "weights" : "activations", shape: shape, keys: keys.sorted(),
                                rescaled: doubled && isWeights,
                                symmetricForm: symmetricForm))
        }
        return (json["params"] as? [String: Any] ?? [:], out)
    }

    static func modelPath(_ name: String, _ file: String) -> String {
        let fixture = Fixtures.path("models/\(name)/\(file)")
        return FileManager.default.fileExists(atPath: fixture) ? fixture : "/work/shared/models/\(name)/\(file)"
    }

    static func config(_ params: [String: Any]) -> PlacementConfig {
        var c = PlacementConfig()
        if let p = params["preset"] as? String, let preset = PlacementConfig.Preset(rawValue: p) { c.preset = preset }
        if let d = params["target_device"] as? String, let dev = PlacementConfig.TargetDevice(rawValue: d) { c.targetDevice = dev }
        if params["model_type"] as? String == "transformer" { c.modelType = .transformer }
        if let alg = params["algorithm"] as? String, alg == "MinMaxQuantization" { c.activationChannelAlignment = false }
        if let ignored = params["ignored"] as? [String: Any] {
            c.ignoredScope = ignored["scope"] as? [String] ?? []
            c.ignoredTypes = (ignored["operations"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
        }
        return c
    }

    struct Comparison: CustomStringConvertible {
        var model: String
        var golden = 0, planned = 0, matched = 0, sameName = 0, sameLevels = 0, sameShape = 0, sameRescale = 0, sameMode = 0
        var missing: [String] = [], extra: [String] = [], notes: [String] = []
        var description: String {
            "\(model): \(matched)/\(golden) matched, \(planned - matched) extra; names \(sameName), levels \(sameLevels), "
                + "range shapes \(sameShape), rescale flags \(sameRescale), modes \(sameMode)"
                + (missing.isEmpty ? "" : "\n  missing: \(missing)") + (extra.isEmpty ? "" : "\n  extra: \(extra)")
                + (notes.isEmpty ? "" : "\n  " + notes.prefix(12).joined(separator: "\n  "))
        }
        var perfect: Bool {
            matched == golden && planned == golden && sameName == golden && sameLevels == golden && sameShape == golden
                && sameRescale == golden && sameMode == golden
        }
    }

    static func compare(model: String, xml: String, golden goldenPath: String, extraParams: [String: Any] = [:]) throws -> Comparison {
        let graph = try IRReader.read(xmlPath: xml)
        let (params, golden) = try Self.golden(goldenPath, graph: graph)
        let plan = try QuantizerPlacement.plan(graph: graph, config: config(params.merging(extraParams) { $1 }))
        var c = Comparison(model: model, golden: golden.count, planned: plan.count)
        var byKey: [[EdgeRef]: PlannedQuantizer] = [:]
        for q in plan { byKey[q.consumers.sorted()] = q }
        var seen: Set<[EdgeRef]> = []
        for g in golden {
            guard let q = byKey[g.keys] else { c.missing.append("\(g.name) \(g.keys)"); continue }
            seen.insert(g.keys)
            c.matched += 1
            if q.name == g.name { c.sameName += 1 } else { c.notes.append("name \(q.name) vs POT \(g.name)") }
            if q.levels == g.levels && q.kind.rawValue == g.kind { c.sameLevels += 1 } else { c.notes.append("levels/kind \(q.name): \(q.levels) \(q.kind) vs \(g.levels) \(g.kind)") }
            if q.rangeShape == g.shape { c.sameShape += 1 } else { c.notes.append("shape \(q.name): \(q.rangeShape) vs \(g.shape)") }
            if g.symmetricForm.map({ (q.scheme.mode == .symmetric) == $0 }) ?? true { c.sameMode += 1 } else { c.notes.append("mode \(q.name): \(q.scheme.mode)") }
            if q.saturationRescale == g.rescaled { c.sameRescale += 1 } else { c.notes.append("rescale \(q.name): \(q.saturationRescale) vs \(g.rescaled)") }
        }
        c.extra = plan.filter { !seen.contains($0.consumers.sorted()) }.map { "\($0.name) \($0.consumers)" }
        return c
    }

    @Test("face_landmark: POT's 109 FakeQuantize", .timeLimit(.minutes(2)))
    func faceLandmark() throws {
        let c = try Self.compare(model: "face_landmark", xml: Self.modelPath("face_landmark", "face_landmark.xml"),
                                 golden: Self.modelPath("face_landmark", "pot/fq.json"))
        print(c)
        #expect(c.perfect, "\(c)")
    }

    @Test("palm_detection_lite: POT's 130 FakeQuantize", .timeLimit(.minutes(2)))
    func palmDetection() throws {
        let c = try Self.compare(model: "palm_detection_lite", xml: Self.modelPath("palm_detection_lite", "palm_detection_lite.xml"),
                                 golden: Self.modelPath("palm_detection_lite", "pot/fq.json"))
        print(c)
        #expect(c.perfect, "\(c)")
    }

    @Test("minilm_l2 (transformer): POT's 27 FakeQuantize", .timeLimit(.minutes(2)))
    func minilm() throws {
        let c = try Self.compare(model: "minilm_l2", xml: Self.modelPath("minilm_l2", "minilm_l2.xml"),
                                 golden: Self.modelPath("minilm_l2", "pot/fq.json"))
        print(c)
        #expect(c.perfect, "\(c)")
    }

    /// The cases of scripts/make_pot_fixtures.py: models POT's shared goldens do not cover (convolutions
    /// without bias, depthwise-only inputs, SE and h-swish blocks, Concat, Interpolate, MatMul without
    /// transpose_b, presets mixed/accuracy, an ignored scope, a transformer layer with and without
    /// model_type).
    static let extraCases: [String] = {
        let root = Fixtures.url("pot")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { name in
            guard let data = try? Data(contentsOf: root.appendingPathComponent("\(name)/fq.json")),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
            return json["model"] is String
        }.sorted()
    }()

    @Test("Extra models: POT's placement", .timeLimit(.minutes(2)), arguments: extraCases)
    func extra(_ name: String) throws {
        let dir = Fixtures.url("pot/\(name)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("fq.json"))) as? [String: Any]
        let model = try #require(json?["model"] as? String)
        let c = try Self.compare(model: name, xml: dir.appendingPathComponent(model).path,
                                 golden: dir.appendingPathComponent("fq.json").path)
        print(c)
        #expect(c.perfect, "\(c)")
    }

    @Test("The extra POT cases are present")
    func extraCasesPresent() {
        #expect(Self.extraCases.count >= 7)
    }
}
