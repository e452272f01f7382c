import Foundation
import Testing
import OVIR
import _TestSupport

/// The conformance suite's `case.json` (OpenVINO 2023.3's view of the model's inputs and outputs).
private struct ConformanceCase: Decodable {
    struct Port: Decodable {
        var name: String
        var names: [String]
        var shape: [Int]
        var ir_element_type: String
    }
    var inputs: [Port]
    var outputs: [Port]
    var ir_has_dynamic_dims: Bool
}

/// `inspect.json` written by scripts/make_ir_fixtures.py (OpenVINO 2026.4's read_model).
private struct InspectExpectation: Decodable {
    struct Port: Decodable {
        var name: String
        var names: [String]
        var element_type: String
        var shape: [Int]?
        var partial_shape: String
    }
    var ir_version: Int
    var inputs: [Port]
    var outputs: [Port]
    var ops: [String: Int]
    var body_ops: [String: Int]
}

private func shapeInts(_ s: PartialShape) -> [Int]? { s.dims.map { $0.map { $0.staticValue ?? -1 } } }

private func opCounts(_ g: Graph, bodiesOnly: Bool) -> [String: Int] {
    var counts: [String: Int] = [:]
    func visit(_ g: Graph, inBody: Bool) {
        for n in g.nodes {
            if inBody || !bodiesOnly { counts[n.type, default: 0] += 1 }
            for b in n.bodies.values { visit(b, inBody: true) }
        }
    }
    visit(g, inBody: false)
    return counts
}

@Suite("IR reader on real models")
struct IRReaderTests {
    /// Diverse conformance cases: a Loop (test_loop11, test_range…expanded), f16 and f64 consts or
    /// ports, i64 constants (Reshape/Gather), multi-name outputs, u8, boolean.
    static let conformanceCases = [
        "test_abs", "test_loop11", "test_range_int32_type_negative_delta_expanded", "test_cast_FLOAT16_to_FLOAT",
        "test_castlike_FLOAT16_to_DOUBLE_expanded", "test_reshape_negative_dim", "test_gather_0",
        "test_dynamicquantizelinear_expanded", "test_add_uint8", "test_and_bcast4v2d",
    ]

    @Test("conformance case: names, element types and shapes equal case.json", arguments: conformanceCases)
    func conformanceCase(_ name: String) throws {
        let expected = try JSONDecoder().decode(ConformanceCase.self,
            from: Data(contentsOf: Fixtures.url("conformance/\(name)/case.json")))
        let graph = try IRReader.read(xmlPath: Fixtures.path("conformance/\(name)/model.xml"))
        #expect(graph.irVersion == 11)
        #expect(graph.name == name)
        for (kind, ours, theirs) in [("inputs", graph.modelInputs, expected.inputs), ("outputs", graph.modelOutputs, expected.outputs)] {
            try #require(ours.count == theirs.count, "\(kind) count")
            for (a, b) in zip(ours, theirs) {
                #expect(a.name == b.name, "\(kind) any_name")
                #expect(a.names == b.names.sorted(), "\(kind) names")
                #expect(a.elementType.rawValue == b.ir_element_type, "\(kind) element type of \(b.name)")
                // case.json holds the shapes of the test data; where the IR has dynamic dims only the rank must agree.
                if expected.ir_has_dynamic_dims {
                    #expect(a.shape.rank == b.shape.count, "\(kind) rank of \(b.name)")
                } else {
                    #expect(shapeInts(a.shape) == b.shape, "\(kind) shape of \(b.name)")
                }
            }
        }
        _ = try graph.topologicalOrder()
    }

    static let generatedFixtures: [String] = {
        let dir = Fixtures.url("ir")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasPrefix("gen_") }.sorted()
    }()

    @Test("generated fixture: inputs, outputs and op counts equal OpenVINO's inspect.json", arguments: generatedFixtures)
    func generatedFixture(_ name: String) throws {
        let expected = try JSONDecoder().decode(InspectExpectation.self,
            from: Data(contentsOf: Fixtures.url("ir/\(name)/inspect.json")))
        let graph = try IRReader.read(xmlPath: Fixtures.path("ir/\(name)/model.xml"))
        #expect(graph.irVersion == expected.ir_version)
        #expect(opCounts(graph, bodiesOnly: false).filter { _ in true } == mergedCounts(expected))
        #expect(opCounts(graph, bodiesOnly: true) == expected.body_ops)
        try #require(graph.modelInputs.count == expected.inputs.count)
        for (a, b) in zip(graph.modelInputs, expected.inputs) {
            #expect(a.name == b.name)
            #expect(a.names == b.names.sorted())
            #expect(a.elementType.rawValue == b.element_type)
            #expect(shapeInts(a.shape) == b.shape)
            // OpenVINO prints dynamic dims as "?"; Dimension.description prints "-1".
            #expect(a.shape.description.replacingOccurrences(of: "-1", with: "?") == b.partial_shape)
        }
        try #require(graph.modelOutputs.count == expected.outputs.count)
        for (a, b) in zip(graph.modelOutputs, expected.outputs) {
            #expect(a.name == b.name)
            #expect(a.names == b.names.sorted())
            #expect(a.elementType.rawValue == b.element_type)
            // Declared port dims cannot tell a dynamic rank from a scalar (OpenVINO writes both with no
            // <dim>); OpenVINO re-infers shapes on read, the reader reports what the IR declares.
            if b.shape != nil { #expect(shapeInts(a.shape) == b.shape) }
        }
    }

    private func mergedCounts(_ e: InspectExpectation) -> [String: Int] {
        e.ops.merging(e.body_ops, uniquingKeysWith: +)
    }

    @Test("Loop: body graph and port_map/back_edges sections")
    func loopBody() throws {
        let graph = try IRReader.read(xmlPath: Fixtures.path("conformance/test_loop11/model.xml"))
        let loop = try #require(graph.nodes.first { $0.type == "Loop" })
        #expect(loop.version == "opset5")
        let body = try #require(loop.bodies["body"])
        #expect(body.parameters.map(\.name).prefix(2) == ["iter_count", "y_in"])
        #expect(body.results.count >= 2)
        #expect(loop.sections.map(\.name) == ["port_map", "back_edges"])
        let portMap = try #require(loop.sections.first)
        #expect(portMap.children(named: "input").count == 2)
        #expect(portMap.children(named: "output").count == 3)
        #expect(portMap.children(named: "output")[1][attribute: "axis"] == "0")
        #expect(loop.outputs.map(\.names) == [["res_y"], ["res_scan"]])
        // Body constants borrow the same .bin as the top level.
        let x = try #require(body.node(named: "x")?.constant)
        #expect(x.shape == [5])
        #expect(x.elementType == .f32)
    }

    @Test("If: then/else bodies and port maps")
    func ifBodies() throws {
        let graph = try IRReader.read(xmlPath: Fixtures.path("ir/gen_if_then/model.xml"))
        let node = try #require(graph.nodes.first { $0.type == "If" })
        #expect(Set(node.bodies.keys) == ["then_body", "else_body"])
        #expect(node.sections.map(\.name).sorted() == ["else_port_map", "then_port_map"])
        #expect(node.bodies["then_body"]?.nodes.contains { $0.type == "ReduceSum" } == true)
        #expect(node.bodies["else_body"]?.nodes.contains { $0.type == "ReduceMax" } == true)
    }

    @Test("TensorIterator: body parsed")
    func tensorIterator() throws {
        let graph = try IRReader.read(xmlPath: Fixtures.path("ir/gen_tensor_iterator_rnn/model.xml"))
        let ti = try #require(graph.nodes.first { $0.type == "TensorIterator" })
        #expect(ti.bodies["body"] != nil)
        #expect(ti.sections.contains { $0.name == "port_map" })
    }

    @Test("every element type: Const values match the .bin bytes", arguments: ElementType.allCases)
    func constElementTypes(_ type: ElementType) throws {
        let dir = "ir/gen_const_\(type.rawValue)"
        let graph = try IRReader.read(xmlPath: Fixtures.path("\(dir)/model.xml"))
        let bin = try Data(contentsOf: Fixtures.url("\(dir)/model.bin"))
        let consts = graph.nodes.filter { $0.type == "Const" }
        let typed = consts.filter { $0.constant?.elementType == type }
        #expect(!typed.isEmpty, "a \(type.rawValue) constant")
        for node in consts {
            let c = try #require(node.constant)
            let offset = try node.attributes.int("offset"), size = try node.attributes.int("size")
            #expect(c.byteCount == size)
            #expect(c.shape == (try node.attributes.ints("shape")))
            c.withUnsafeBytes { bytes in #expect(Array(bytes) == Array(bin[offset..<(offset + size)])) }
        }
    }

    @Test("real model: minilm_l2 reads with borrowed weights")
    func minilm() throws {
        let graph = try IRReader.read(xmlPath: Fixtures.path("models/minilm_l2/minilm_l2.xml"))
        #expect(graph.nodes.count == 153)
        #expect(graph.modelInputs.map(\.name) == ["input_ids", "attention_mask", "token_type_ids"])
        #expect(graph.modelOutputs.map(\.name) == ["last_hidden_state", "sentence_embedding"])
        #expect(graph.modelOutputs.map { shapeInts($0.shape) } == [[1, 128, 384], [1, 384]])
        let embedding = try #require(graph.node(named: "Constant_5")?.constant)
        #expect(embedding.shape == [467, 384])
        #expect(embedding.buffer.isReadOnly, "constants borrow the mapped .bin")
        #expect(graph.rtInfo.isEmpty, "<rt_info /> is empty")
        _ = try graph.topologicalOrder()
    }

    @Test("POT output (IR with input ports lacking precision) reads")
    func potModel() throws {
        let graph = try IRReader.read(xmlPath: Fixtures.path("models/face_landmark/pot/face_landmark_int8.xml"))
        let fq = graph.nodes.filter { $0.type == "FakeQuantize" }
        #expect(!fq.isEmpty)
        #expect(fq.contains { $0.inputs.contains { $0.elementType == nil } })
        #expect(graph.nodes.first { $0.type == "Parameter" }?.outputs.first?.rtInfo == [])
        #expect(graph.rtInfo.first?.name == "Runtime_version")
        #expect(graph.rtInfo.first { $0.name == "conversion_parameters" }?.children.isEmpty == false)
    }
}
