import Foundation
import Testing
import OVIR
import _TestSupport

/// Reader features on hand-written IR: names (escapes, v10 rules, Result output_names), dims,
/// attributes and rt_info kept verbatim, weights handling.
@Suite("IR reader: features")
struct IRReaderFeatureTests {
    typealias X = IRTestXML

    @Test func namesWithEscapedCommasAndAnyName() throws {
        let xml = X.net([X.param(0, "x", names: #"zeta,alpha\,b,mid"#), X.result(1, "r")], [X.edge(0, 0, 1, 0)])
        let g = try X.read(xml)
        #expect(g.nodes[0].outputs[0].names == ["zeta", "alpha,b", "mid"])
        #expect(g.modelInputs[0].names == ["alpha,b", "mid", "zeta"])
        #expect(g.modelInputs[0].name == "alpha,b", "OpenVINO's any_name is the smallest name")
        #expect(g.modelOutputs[0].name == "alpha,b")
    }

    @Test func portWithoutNamesFallsBackToLayerName() throws {
        let xml = X.net([X.param(0, "x", names: ""), X.result(1, "r")], [X.edge(0, 0, 1, 0)])
        let g = try X.read(xml)
        #expect(g.modelInputs[0].names.isEmpty)
        #expect(g.modelInputs[0].name == "x")
    }

    @Test func resultOutputNamesReplaceProducerNames() throws {
        let xml = X.net([X.param(0, "x"), X.relu(1, "y"), X.result(2, "r", extra: #" output_names="foo,bar""#)],
                        [X.edge(0, 0, 1, 0), X.edge(1, 1, 2, 0)])
        let g = try X.read(xml)
        #expect(g.modelOutputs[0].names == ["bar", "foo"])
        #expect(g.modelOutputs[0].name == "bar")
        #expect(g.nodes[2].layerAttributes == [IRAttribute("output_names", "foo,bar")])
    }

    @Test func irV10AddsLayerNames() throws {
        let xml = X.net([X.param(0, "px", names: "x"), X.relu(1, "absy", names: "y"), X.result(2, "r")],
                        [X.edge(0, 0, 1, 0), X.edge(1, 1, 2, 0)], version: "10")
        let g = try X.read(xml)
        #expect(g.irVersion == 10)
        #expect(g.modelInputs[0].names == ["px", "x"])
        #expect(g.modelInputs[0].name == "px")
        #expect(g.modelOutputs[0].names == ["absy", "y"])
    }

    @Test func dimensionsIntervalsAndDynamicRank() throws {
        let xml = X.net([X.param(0, "x", shape: "1,1..10,?,2..", dims: ["1", "-1", "-1", "-1"]),
                         X.param(1, "z", shape: "...", dims: []), X.relu(2, "y", dims: ["1", "1..10", "-1", "2.."]),
                         X.result(3, "r", dims: []), X.result(4, "r2")],
                        [X.edge(0, 0, 2, 0), X.edge(1, 0, 3, 0), X.edge(2, 1, 4, 0)])
        let g = try X.read(xml)
        #expect(g.modelInputs[0].shape == PartialShape([.fixed(1), .interval(1, 10), .dynamic, .interval(2, nil)]))
        #expect(g.modelInputs[1].shape == .dynamicRank)
        #expect(g.nodes[2].outputs[0].shape == PartialShape([.fixed(1), .interval(1, 10), .dynamic, .interval(2, nil)]))
        let scalar = try X.read(X.net([X.param(0, "s", shape: "", dims: []), X.result(1, "r", dims: [])], [X.edge(0, 0, 1, 0)]))
        #expect(scalar.modelInputs[0].shape == PartialShape([]))
    }

    @Test func attributesAndRtInfoAreKeptVerbatimInOrder() throws {
        let relu = """
        <layer id="1" name="y" type="ReLU" version="opset1">
          <data zeta="1" alpha=" 2, 3 " empty=""/>
          <rt_info><attribute name="fused_names" version="0" value="a,b"/></rt_info>
          <input><port id="0" precision="FP32"><dim>1</dim><dim>4</dim><rt_info><attribute name="layout" value="[N,C]"/></rt_info></port></input>
          <output><port id="1" precision="FP32" names="y"><dim>1</dim><dim>4</dim></port></output>
          <custom_section k="v"><item>text</item></custom_section>
        </layer>
        """
        let g = try X.read(X.net([X.param(0, "x"), relu, X.result(2, "r")], [X.edge(0, 0, 1, 0), X.edge(1, 1, 2, 0)]))
        let n = g.nodes[1]
        #expect(n.attributes.entries == [IRAttribute("zeta", "1"), IRAttribute("alpha", " 2, 3 "), IRAttribute("empty", "")])
        #expect(try n.attributes.ints("alpha") == [2, 3])
        #expect(n.rtInfo == [IRElement(name: "attribute", attributes: [IRAttribute("name", "fused_names"),
                                                                       IRAttribute("version", "0"), IRAttribute("value", "a,b")])])
        #expect(n.inputs[0].rtInfo.first?[attribute: "value"] == "[N,C]")
        #expect(n.sections == [IRElement(name: "custom_section", attributes: [IRAttribute("k", "v")],
                                         children: [IRElement(name: "item", text: "text")])])
        #expect(n.inputs[0].source == g.nodes[0].output(0))
        #expect(g.nodes[2].inputs[0].source == n.output(0))
    }

    @Test func modelWithoutConstDataNeedsNoBin() throws {
        let dir = try Fixtures.temporaryDirectory("ir-reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let xmlPath = dir.appendingPathComponent("m.xml").path
        try Data(X.minimal.utf8).write(to: URL(fileURLWithPath: xmlPath))
        #expect(try IRReader.read(xmlPath: xmlPath).nodes.count == 3)
        // An empty constant needs no bytes either.
        let empty = X.withConst(X.const(1, "c", shape: "0", size: 0))
        #expect(try X.read(empty).node(named: "c")?.constant?.count == 0)
    }

    @Test func constantsBorrowAlignedRegionsAndCopyMisalignedOnes() throws {
        var bytes = Data(count: 1)   // one padding byte: a const at offset 1 is misaligned for f32
        for v: Float in [1, 2, 3, 4, 5] { withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) } }
        let misaligned = try X.read(X.withConst(X.const(1, "c", offset: 1)), weights: bytes)
        let c = try #require(misaligned.node(named: "c")?.constant)
        #expect(try c.scalars(as: Float.self) == [1, 2, 3, 4])
        #expect(!c.buffer.isReadOnly, "misaligned data is copied")
        let i8 = try X.read(X.withConst(X.const(1, "c", type: "u8", shape: "1,4", offset: 1, size: 4)), weights: bytes)
        #expect(i8.node(named: "c")?.constant?.buffer.isReadOnly == true, "byte types borrow at any offset")

        let dir = try Fixtures.temporaryDirectory("ir-reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let xmlPath = dir.appendingPathComponent("m.xml").path
        try Data(X.withConst(X.const(1, "c", offset: 4)).utf8).write(to: URL(fileURLWithPath: xmlPath))
        try bytes.dropFirst().write(to: dir.appendingPathComponent("m.bin"))
        var t = try #require(try IRReader.read(xmlPath: xmlPath).node(named: "c")?.constant)
        #expect(t.buffer.isReadOnly, "aligned data borrows the mapped file")
        #expect(try t.scalars(as: Float.self) == [2, 3, 4, 5])
        try t.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 42 }   // copy on write, file untouched
        #expect(try t.scalars(as: Float.self) == [42, 3, 4, 5])
        #expect(try Data(contentsOf: dir.appendingPathComponent("m.bin")) == bytes.dropFirst())
    }

    @Test("sub-byte and odd types: sizes round up as OpenVINO packs them")
    func subByteSizes() throws {
        for (type, size) in [("u1", 1), ("i4", 3), ("u4", 3), ("boolean", 5), ("bf16", 10), ("f64", 40)] {
            let g = try X.read(X.withConst(X.const(1, "c", type: type, shape: "5", size: size, dims: ["5"])), weights: Data(count: 64))
            #expect(g.node(named: "c")?.constant?.byteCount == size, "\(type)")
            #expect(g.node(named: "c")?.constant?.elementType.rawValue == type)
        }
    }
}
