import Foundation
import Testing
import OVIR
import POTCore
import _TestSupport

/// Inserting the planned FakeQuantize nodes: the edited graph has POT's FakeQuantize nodes (names,
/// levels, inputs, consumers, range shapes), POT's zero biases and transposed MatMul weights, and the
/// original layer names. Ranges are POT's own, read from the golden.
@Suite("FakeQuantize insertion")
struct InsertionTests {
    static func tensor(_ any: Any?) -> Tensor? {
        guard let d = any as? [String: Any], let shape = d["shape"] as? [Int], let values = d["values"] as? [Double] else { return nil }
        return Tensor(shape: shape, scalars: values.map(Float.init))
    }

    static func goldenRanges(_ path: String) throws -> ([String: QuantizerRanges], [[String: Any]]) {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        let fqs = json["fake_quantize"] as? [[String: Any]] ?? []
        var out: [String: QuantizerRanges] = [:]
        for f in fqs {
            guard let name = f["name"] as? String, let il = tensor(f["input_low"]), let ih = tensor(f["input_high"]),
                  let ol = tensor(f["output_low"]), let oh = tensor(f["output_high"]) else { continue }
            out[name] = QuantizerRanges(inputLow: il, inputHigh: ih, outputLow: ol, outputHigh: oh)
        }
        return (out, fqs)
    }

    /// `name levels producerType[:producerName] -> consumers | range shape`, POT's names for Const producers
    /// and for the Reshape POT adds after grouped weights being regenerated ones.
    static func describe(fq name: String, levels: Int, producer: (String, String), consumers: [(String, String, Int)],
                         shape: [Int], original: Graph) -> String {
        // The IR spells some types differently from OpenVINO's runtime names (ReLU/Relu, PReLU/PRelu).
        // Weights come from a Const, or from Const → Convert when compressed to f16 (POT renames that Convert).
        let p = ["Const", "Constant", "Convert"].contains(producer.1) ? "Const" : "\(producer.1.lowercased()):\(producer.0)"
        let cs = consumers.map { $0.1 == "Reshape" && original.node(named: $0.0) == nil ? "Reshape(added):\($0.2)" : "\($0.0):\($0.2)" }
        return "\(name) \(levels) \(p) -> \(cs.sorted().joined(separator: ",")) | \(shape)"
    }

    static func check(xml: String, golden: String, config: PlacementConfig) throws -> (Graph, Graph) {
        let original = try IRReader.read(xmlPath: xml)
        let graph = try IRReader.read(xmlPath: xml)
        let plan = try QuantizerPlacement.makePlan(graph: graph, config: config)
        let (ranges, fqs) = try goldenRanges(golden)
        try QuantizerPlacement.insertFakeQuantize(graph: graph, plan: plan, ranges: ranges)

        var mine: [String] = []
        for n in graph.nodes where n.type == "FakeQuantize" {
            let src = try #require(n.inputs[0].source)
            let cons = graph.consumers(of: n.output(0)).map { ($0.node.name, $0.node.type, $0.input) }
            mine.append(describe(fq: n.name, levels: try n.attributes.int("levels"), producer: (src.node.name, src.node.type),
                                 consumers: cons, shape: n.inputs[1].source?.node.constant?.shape ?? [-1], original: original))
        }
        var pots: [String] = []
        for f in fqs {
            let p = f["producer"] as? [String: Any] ?? [:]
            let cons = (f["consumers"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["type"] as? String ?? "", $0["port"] as? Int ?? -1) }
            pots.append(describe(fq: f["name"] as? String ?? "", levels: f["levels"] as? Int ?? 0,
                                 producer: (p["name"] as? String ?? "", p["type"] as? String ?? ""), consumers: cons,
                                 shape: (f["input_low"] as? [String: Any])?["shape"] as? [Int] ?? [], original: original))
        }
        let differences = Set(mine).symmetricDifference(pots).sorted()
        #expect(mine.count == pots.count && differences.isEmpty, "\(differences)")
        // The Reshape after grouped weights carries POT's generated name (Model Optimizer's node-id counter).
        var myReshapes: [String: String] = [:], potReshapes: [String: String] = [:]
        for n in graph.nodes where n.type == "FakeQuantize" {
            for c in graph.consumers(of: n.output(0)) where c.node.type == "Reshape" && original.node(named: c.node.name) == nil {
                myReshapes[n.name] = c.node.name
            }
        }
        for f in fqs {
            for c in f["consumers"] as? [[String: Any]] ?? [] where c["type"] as? String == "Reshape" {
                if let r = c["name"] as? String, original.node(named: r) == nil { potReshapes[f["name"] as? String ?? ""] = r }
            }
        }
        #expect(myReshapes == potReshapes, "grouped-weights Reshape names: \(myReshapes.sorted { $0.key < $1.key }) vs POT \(potReshapes.sorted { $0.key < $1.key })")
        for n in original.nodes { #expect(graph.node(named: n.name) != nil, "layer \(n.name) lost") }
        return (original, graph)
    }

    @Test("ResNet-like: POT's FakeQuantize nodes, zero bias, transposed MatMul weights, grouped weights reshaped")
    func resnetLike() throws {
        let dir = Fixtures.url("pot/resnet_like_performance")
        let (original, graph) = try Self.check(xml: dir.appendingPathComponent("resnet_like.xml").path,
                                               golden: dir.appendingPathComponent("fq.json").path, config: PlacementConfig())
        // POT's zero bias after the bias-less stem convolution.
        let zero = try #require(graph.node(named: "stem/add_"))
        #expect(zero.type == "Add" && zero.inputs[0].source?.node.name == "stem")
        #expect(graph.node(named: "stem/relu")?.inputs[0].source?.node === zero)
        // POT stores MatMul weights transposed.
        let fc = try #require(graph.node(named: "fc"))
        #expect(fc.attributes["transpose_b"] == "true")
        let fcWeights = try #require(fc.inputs[1].source?.node.inputs[0].source?.node.constant)
        #expect(fcWeights.shape == [10, 32])
        let before = try #require(original.node(named: "fc")?.inputs[1].source?.node.constant)
        let a = try before.scalars(as: Float.self), b = try fcWeights.scalars(as: Float.self)
        #expect(b[1 * 32 + 5] == a[5 * 10 + 1])
        // The stem weights (first convolution) are halved: POT's saturation fix.
        let stemW = try #require(graph.node(named: "stem")?.inputs[1].source?.node.inputs[0].source?.node.constant)
        let stemW0 = try #require(original.node(named: "stem")?.inputs[1].source?.node.constant)
        #expect(try stemW.scalars(as: Float.self)[7] == stemW0.scalars(as: Float.self)[7] / 2)
        // Grouped weights: Const [16,1,3,3] → FakeQuantize → Reshape [16,1,1,3,3] → GroupConvolution.
        let reshape = try #require(graph.node(named: "dw")?.inputs[1].source?.node)
        #expect(reshape.type == "Reshape")
        #expect(reshape.inputs[0].source?.node.inputs[0].source?.node.constant?.shape == [16, 1, 3, 3])
    }

    @Test("ResNet-like with f16 weights: FakeQuantize after the Convert, halved f16 stem weights")
    func resnetLikeCompressed() throws {
        let dir = Fixtures.url("pot/resnet_like_fp16")
        let (original, graph) = try Self.check(xml: dir.appendingPathComponent("resnet_like.xml").path,
                                               golden: dir.appendingPathComponent("fq.json").path, config: PlacementConfig())
        let convert = try #require(graph.node(named: "stem")?.inputs[1].source?.node.inputs[0].source?.node)
        #expect(convert.type == "Convert")
        let w = try #require(convert.inputs[0].source?.node.constant)
        let w0 = try #require(original.node(named: "stem")?.inputs[1].source?.node.inputs[0].source?.node.constant)
        #expect(w.elementType == .f16 && w.doubleValue(at: 3) == w0.doubleValue(at: 3) / 2)
        let dwFQ = try #require(graph.node(named: "dw")?.inputs[1].source?.node.inputs[0].source?.node)
        #expect(dwFQ.type == "FakeQuantize" && dwFQ.outputs[0].shape == PartialShape(static: [16, 1, 3, 3]))
    }

    @Test("face_landmark: POT's 109 FakeQuantize nodes in place")
    func faceLandmark() throws {
        let xml = PlacementTests.modelPath("face_landmark", "face_landmark.xml")
        _ = try Self.check(xml: xml, golden: PlacementTests.modelPath("face_landmark", "pot/fq.json"), config: PlacementConfig())
    }

    @Test("palm_detection_lite: POT's FakeQuantize nodes and grouped-weights Reshape names")
    func palmDetection() throws {
        let xml = PlacementTests.modelPath("palm_detection_lite", "palm_detection_lite.xml")
        _ = try Self.check(xml: xml, golden: PlacementTests.modelPath("palm_detection_lite", "pot/fq.json"), config: PlacementConfig())
    }

    @Test("ResNet-like, mixed preset and ignored scope: POT's grouped-weights Reshape names")
    func resnetLikeVariants() throws {
        var mixed = PlacementConfig()
        mixed.preset = .mixed
        var ignored = PlacementConfig()
        ignored.preset = .accuracy
        ignored.ignoredScope = ["b1/add"]
        for (case_, config) in [("resnet_like_mixed", mixed), ("resnet_like_accuracy_ignored", ignored)] {
            let dir = Fixtures.url("pot/\(case_)")
            _ = try Self.check(xml: dir.appendingPathComponent("resnet_like.xml").path,
                               golden: dir.appendingPathComponent("fq.json").path, config: config)
        }
    }

    @Test("Missing ranges are an error naming the quantizer")
    func missingRanges() throws {
        let dir = Fixtures.url("pot/resnet_like_performance")
        let graph = try IRReader.read(xmlPath: dir.appendingPathComponent("resnet_like.xml").path)
        let plan = try QuantizerPlacement.makePlan(graph: graph, config: PlacementConfig())
        #expect(throws: PlacementError.self) { try QuantizerPlacement.insertFakeQuantize(graph: graph, plan: plan, ranges: [:]) }
    }
}

/// Small hand-made graphs for the cases the POT fixtures do not reach.
@Suite("FakeQuantize insertion on hand-made graphs")
struct InsertionEdgeCaseTests {
    static func ranges(for plan: PlacementPlan) -> [String: QuantizerRanges] {
        var out: [String: QuantizerRanges] = [:]
        for q in plan.quantizers {
            let n = q.rangeShape.reduce(1, *)
            let low = Tensor(shape: q.rangeShape, scalars: Array(repeating: Float(-1), count: n))
            let high = Tensor(shape: q.rangeShape, scalars: Array(repeating: Float(1), count: n))
            out[q.name] = QuantizerRanges(inputLow: low, inputHigh: high, outputLow: low, outputHigh: high)
        }
        return out
    }

    static func setShape(_ ref: OutputRef, _ shape: [Int]) {
        ref.node.outputs[ref.index].shape = PartialShape(static: shape)
    }

    @Test("Const → Reshape → GroupConvolution: the FakeQuantize goes before the existing Reshape")
    func groupConvolutionWithReshape() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 4, 8, 8])
        let w = b.constant(Array(repeating: 0.5, count: 36), shape: [4, 1, 3, 3])
        let shape = b.constant(i64: [4, 1, 1, 3, 3])
        let r = b.op("Reshape", [w, shape], ["special_zero": "false"], name: "w_reshape")
        Self.setShape(r, [4, 1, 1, 3, 3])
        let y = b.op("GroupConvolution", [x, r], ["strides": "1,1", "pads_begin": "1,1", "pads_end": "1,1", "dilations": "1,1"], name: "dw")
        Self.setShape(y, [1, 4, 8, 8])
        let z = b.op("Convolution", [y, b.constant(Array(repeating: 0.1, count: 32), shape: [8, 4, 1, 1])],
                     ["strides": "1,1", "pads_begin": "0,0", "pads_end": "0,0", "dilations": "1,1"], name: "pw")
        Self.setShape(z, [1, 8, 8, 8])
        b.result(z)
        let plan = try QuantizerPlacement.makePlan(graph: b.graph, config: PlacementConfig())
        let wq = try #require(plan.quantizers.first { $0.name == "dw/fq_weights_1" })
        #expect(wq.consumers == [EdgeRef("dw", 1)] && wq.rangeShape == [4, 1, 1, 1])
        // The depthwise input has only the depthwise consumer: per-channel activations.
        #expect(plan.quantizers.first { $0.name == "dw/fq_input_0" }?.rangeShape == [1, 4, 1, 1])
        #expect(plan.zeroBiasConvolutions.sorted() == ["dw", "pw"])
        try QuantizerPlacement.insertFakeQuantize(graph: b.graph, plan: plan, ranges: Self.ranges(for: plan))
        let reshape = try #require(b.graph.node(named: "w_reshape"))
        #expect(reshape.inputs[0].source?.node.type == "FakeQuantize")
        #expect(b.graph.node(named: "dw")?.inputs[1].source?.node === reshape)
        #expect(b.graph.node(named: "dw/add_")?.type == "Add")
    }

    @Test("Folded weights (Const → Transpose → MatMul) are quantized per output channel on their last axis")
    func foldedMatMulWeights() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [2, 6])
        let w = b.constant((0..<24).map(Float.init), shape: [4, 6])
        let wt = b.op("Transpose", [w, b.constant(i64: [1, 0])], name: "wt")
        Self.setShape(wt, [6, 4])
        let y = b.op("MatMul", [x, wt], ["transpose_a": "false", "transpose_b": "false"], name: "fc")
        Self.setShape(y, [2, 4])
        b.result(y)
        let plan = try QuantizerPlacement.makePlan(graph: b.graph, config: PlacementConfig())
        let wq = try #require(plan.quantizers.first { $0.kind == .weights })
        #expect(wq.name == "fc/fq_weights_1" && wq.producer == OutputRefName("wt", 0))
        #expect(wq.channelAxis == 1 && wq.rangeShape == [1, 4])
        #expect(plan.transposedMatMulWeights.isEmpty)
        try QuantizerPlacement.insertFakeQuantize(graph: b.graph, plan: plan, ranges: Self.ranges(for: plan))
        #expect(b.graph.node(named: "fc")?.inputs[1].source?.node.name == "fc/fq_weights_1")
    }
}
