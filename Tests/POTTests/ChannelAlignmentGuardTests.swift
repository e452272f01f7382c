import Foundation
import Testing
import POT
import _TestSupport

/// SwiftPOT's exactness guard on ActivationChannelAlignment (a deliberate deviation from POT,
/// docs/POT_ALGORITHMS.md): the alignment must leave the FP32 model's function unchanged. POT rewrites
/// shared constants in place, which breaks that on palm_detection_lite; the guard gives such pairs
/// private copies, and skips pairs that cannot be made exact (a residual sum between the convolutions).
@Suite("ActivationChannelAlignment exactness guard")
struct ChannelAlignmentGuardTests {
    static let conv = ["strides": "1,1", "dilations": "1,1", "pads_begin": "0,0", "pads_end": "0,0", "auto_pad": "explicit"]

    /// Two branches `x → Convolution → Add(shared bias) → 1×1 Convolution → Add(bias)`; the first bias
    /// Const is read by both branches' Adds, like palm_detection_lite's zero biases.
    static func sharedBiasGraph() -> Graph {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 2, 3, 3])
        let shared = b.constant(Tensor(shape: [1, 2, 1, 1], scalars: [Float](repeating: 0, count: 2)), name: "shared_bias")
        for (k, w) in [[Float(0.5), -1, 2, 0.25], [Float(-3), 1, 0.5, 4]].enumerated() {
            let wIn = b.constant(Tensor(shape: [2, 2, 1, 1], scalars: w), name: "w_in\(k)")
            let c1 = b.op("Convolution", [x, wIn], conv, version: "opset1", name: "producer\(k)")
            let a1 = b.op("Add", [c1, shared], ["auto_broadcast": "numpy"], version: "opset1", name: "bias_add\(k)")
            let wOut = b.constant(Tensor(shape: [2, 2, 1, 1], scalars: [Float(1), 2, -1, 0.5]), name: "w_out\(k)")
            let c2 = b.op("Convolution", [a1, wOut], conv, version: "opset1", name: "consumer\(k)")
            let bOut = b.constant(Tensor(shape: [1, 2, 1, 1], scalars: [Float(0.1), -0.2]), name: "b_out\(k)")
            b.result(b.op("Add", [c2, bOut], ["auto_broadcast": "numpy"], version: "opset1", name: "out_add\(k)"))
        }
        return b.graph
    }

    /// `x → Convolution → Add(x) → 1×1 Convolution`: the Add between is a residual sum, not a bias.
    static func residualGraph() -> Graph {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 2, 3, 3])
        let c1 = b.op("Convolution", [x, b.constant(Tensor(shape: [2, 2, 1, 1], scalars: [Float(0.5), -1, 2, 0.25]), name: "w_in")],
                      conv, version: "opset1", name: "producer")
        let sum = b.op("Add", [c1, x], ["auto_broadcast": "numpy"], version: "opset1", name: "residual")
        b.result(b.op("Convolution", [sum, b.constant(Tensor(shape: [2, 2, 1, 1], scalars: [Float(1), 2, -1, 0.5]), name: "w_out")],
                      conv, version: "opset1", name: "consumer"))
        return b.graph
    }

    static func input() -> Tensor {
        Tensor(shape: [1, 2, 3, 3], scalars: (0..<18).map { Float($0) * 0.37 - 2.5 })
    }

    static func outputs(_ g: Graph, _ x: Tensor) throws -> [Double] {
        try CompiledModel(graph: g).infer([x]).flatMap { $0.doubleValues() }
    }

    /// Largest |a − b| relative to the largest |a|.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        let scale = max(a.map(abs).max() ?? 0, 1e-12)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
    }

    /// Per-channel ranges far from centred and far from equal, so both steps move the constants a lot.
    static let lows: [Double] = [-1, 10], highs: [Double] = [3, 50]

    @Test func sharedBiasIsCopiedAndTheModelKeepsItsFunction() throws {
        let x = Self.input()
        let reference = try Self.outputs(Self.sharedBiasGraph(), x)
        let aca = ActivationChannelAlignment()

        // POT: both pairs rewrite the one shared bias in place; the FP32 function changes.
        let pot = Self.sharedBiasGraph()
        let potPairs = aca.pairs(pot)
        #expect(potPairs.map(\.nodeOut) == ["consumer0", "consumer1"])
        for p in potPairs { try aca.align(p, min: Self.lows, max: Self.highs) }
        #expect(Self.relativeError(reference, try Self.outputs(pot, x)) > 0.1)

        // The guard: the first pair gets a private copy, the second keeps the original.
        let g = Self.sharedBiasGraph()
        let guarded = aca.guarded(g, aca.pairs(g))
        #expect(guarded.pairs.map(\.nodeOut) == ["consumer0", "consumer1"])
        #expect(guarded.copies == ["shared_bias/bias_add0"])
        #expect(guarded.notes.map(\.nodeOut) == ["consumer0", "consumer1"] && guarded.notes.allSatisfy { !$0.skipped })
        #expect(guarded.notes.allSatisfy { $0.reason.contains("'shared_bias' (read by 2 layers)") })
        for p in guarded.pairs { try aca.align(p, min: Self.lows, max: Self.highs) }
        #expect(Self.relativeError(reference, try Self.outputs(g, x)) < 1e-5)
        // the alignment did happen: both biases moved by their means / scales, differently
        let b0 = try #require(g.node(named: "shared_bias/bias_add0")?.constant).doubleValues()
        let b1 = try #require(g.node(named: "shared_bias")?.constant).doubleValues()
        #expect(b0 != [0, 0] && b1 != [0, 0])
        let p1 = guarded.pairs[1]
        #expect(p1.biasIn?.name == "shared_bias" && guarded.pairs[0].biasIn?.name == "shared_bias/bias_add0")
    }

    @Test func residualSumBetweenIsSkipped() throws {
        let x = Self.input()
        let reference = try Self.outputs(Self.residualGraph(), x)
        let aca = ActivationChannelAlignment()

        let pot = Self.residualGraph()
        let potPairs = aca.pairs(pot)
        #expect(potPairs.count == 1 && potPairs[0].biasIn == nil)
        for p in potPairs { try aca.align(p, min: Self.lows, max: Self.highs) }
        #expect(Self.relativeError(reference, try Self.outputs(pot, x)) > 0.1)

        let g = Self.residualGraph()
        let guarded = aca.guarded(g, aca.pairs(g))
        #expect(guarded.pairs.isEmpty && guarded.copies.isEmpty)
        #expect(guarded.notes.count == 1 && guarded.notes[0].skipped && guarded.notes[0].reason.contains("'residual'"))
        #expect(Self.relativeError(reference, try Self.outputs(g, x)) == 0)
    }

    /// face_landmark: every pair is exact as POT does it, so the guard changes nothing (parity with POT).
    @Test func faceLandmarkPassesUnchanged() throws {
        let g = try IRReader.read(xmlPath: Fixtures.path("models/face_landmark/face_landmark.xml"))
        let aca = ActivationChannelAlignment()
        let pairs = aca.pairs(g)
        let count = g.nodes.count
        let guarded = aca.guarded(g, pairs)
        #expect(pairs.count == 20)
        #expect(guarded.notes.isEmpty && guarded.copies.isEmpty && g.nodes.count == count)
        #expect(guarded.pairs.map { "\($0.nodeIn) \($0.weightIn.name) \($0.biasIn?.name ?? "") \($0.weightOut.name) \($0.biasOut?.name ?? "")" }
                == pairs.map { "\($0.nodeIn) \($0.weightIn.name) \($0.biasIn?.name ?? "") \($0.weightOut.name) \($0.biasOut?.name ?? "")" })
    }

    /// palm_detection_lite with POT's own median statistics (fixtures/pot/palm_detection_lite/stats.json):
    /// POT's in-place alignment changes the FP32 model; the guarded one keeps it, and placement still
    /// gives POT's names to the Reshapes it adds after grouped weights.
    @Test(.timeLimit(.minutes(5)))
    func palmDetectionKeepsItsFunction() throws {
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("pot/palm_detection_lite/stats.json"))) as? [String: Any]
        let medians = (stats?["channel_alignment"] as? [String: Any])?["median_stats"] as? [String: [String: Any]] ?? [:]
        func values(_ any: Any?) throws -> [Double] {
            let d = try #require(any as? [String: Any])
            return try #require(d["values"] as? [Double])
        }
        let xml = Fixtures.path("models/palm_detection_lite/palm_detection_lite.xml")
        let x = try Tensor(npyFile: Fixtures.url("models/palm_detection_lite/pot/in_0.npy"))
        let reference = try Self.outputs(try IRReader.read(xmlPath: xml), x)
        let aca = ActivationChannelAlignment()

        func align(_ g: Graph, _ pairs: [ActivationChannelAlignment.Pair]) throws {
            for p in pairs {
                let s = try #require(medians[p.point.node], "no POT statistics for \(p.point.node)")
                try aca.align(p, min: try values(s["channel_range_min"]), max: try values(s["channel_range_max"]))
            }
        }
        let pot = try IRReader.read(xmlPath: xml)
        try align(pot, aca.pairs(pot))
        let potError = Self.relativeError(reference, try Self.outputs(pot, x))
        #expect(potError > 1, "POT's in-place alignment: relative error \(potError)")

        let g = try IRReader.read(xmlPath: xml)
        let guarded = aca.guarded(g, aca.pairs(g))
        #expect(guarded.pairs.count == 23 && guarded.notes.count == 23 && guarded.copies.count == 19)
        #expect(Set(guarded.notes.map { $0.reason.components(separatedBy: "'")[1] })
                == ["Transpose_1231", "Transpose_1354", "Transpose_1477", "Transpose_1600"])
        try align(g, guarded.pairs)
        let error = Self.relativeError(reference, try Self.outputs(g, x))
        #expect(error < 1e-4, "guarded alignment: relative error \(error)")

        // The copies are not in POT's graph: leaving them out of the node-id counting keeps POT's names.
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("models/palm_detection_lite/pot/fq.json"))) as? [String: Any]
        var potReshapes: Set<String> = []
        for fq in golden?["fake_quantize"] as? [[String: Any]] ?? [] {
            for c in fq["consumers"] as? [[String: Any]] ?? [] where c["type"] as? String == "Reshape" { potReshapes.insert(c["name"] as? String ?? "") }
        }
        var config = PlacementConfig()
        config.uncountedConstants = Set(guarded.copies)
        let names = try QuantizerPlacement.makePlan(graph: g, config: config).groupWeightsReshapeNames
        #expect(Set(names.values) == potReshapes && potReshapes.count == 23)
        let counted = try QuantizerPlacement.makePlan(graph: g, config: PlacementConfig()).groupWeightsReshapeNames
        #expect(Set(counted.values) != potReshapes)
    }
}
