import Foundation
import Testing
import OVIR
import _TestSupport

/// x (f32 [2,3], names "x,y" with a comma) + c1 → Multiply by c2 (same bytes as c1) → Result.
func writerTestGraph() -> Graph {
    let g = Graph(name: "net <&> \"quoted\"", rtInfo: [IRElement(name: "framework", children: [
        IRElement(name: "source", attributes: [IRAttribute("value", "a&b")])])])
    let x = Node(id: 0, name: "x,in", type: "Parameter",
                 attributes: Attributes([IRAttribute("shape", "2,3"), IRAttribute("element_type", "f32")]),
                 outputs: [OutputPort(portID: 0, elementType: .f32, shape: PartialShape(static: [2, 3]), names: ["x,in", "alias"])])
    let values = Tensor(shape: [3], scalars: [Float(1), 2, 3])
    let c1 = Node(id: 1, name: "c1", type: "Const", attributes: Attributes([IRAttribute("element_type", "f32"), IRAttribute("shape", "9"),
                                                                           IRAttribute("offset", "999"), IRAttribute("size", "1")]),
                  outputs: [OutputPort(portID: 0, elementType: .f32, shape: PartialShape(static: [3]))], constant: values)
    let add = Node(id: 2, name: "add", type: "Add", attributes: Attributes([IRAttribute("auto_broadcast", "numpy")]),
                   inputs: [InputPort(portID: 0, source: x.output(0), elementType: .f32, shape: PartialShape(static: [2, 3])),
                            InputPort(portID: 1, source: c1.output(0), elementType: .f32, shape: PartialShape(static: [3]))],
                   outputs: [OutputPort(portID: 2, elementType: .f32, shape: PartialShape([.fixed(2), .dynamic]))],
                   rtInfo: [IRElement(name: "attribute", attributes: [IRAttribute("name", "fused_names"), IRAttribute("version", "0"),
                                                                      IRAttribute("value", "a,b")])])
    let c2 = Node(id: 3, name: "c2", type: "Const", outputs: [OutputPort(portID: 0, elementType: .f32, shape: PartialShape(static: [3]))],
                  constant: values)
    let i8 = Node(id: 4, name: "c3", type: "Const", outputs: [OutputPort(portID: 0, elementType: .i8, shape: PartialShape(static: []))],
                  constant: Tensor(scalar: Int8(-1)))
    let mul = Node(id: 5, name: "mul", type: "Multiply", version: "opset1",
                   inputs: [InputPort(portID: 0, source: add.output(0), elementType: .f32, shape: PartialShape([.fixed(2), .dynamic])),
                            InputPort(portID: 1, source: c2.output(0), elementType: .f32, shape: PartialShape(static: [3]))],
                   outputs: [OutputPort(portID: 2, elementType: .f32, shape: PartialShape(static: [2, 3]), names: ["out"],
                                        rtInfo: [IRElement(name: "attribute", attributes: [IRAttribute("name", "layout"), IRAttribute("value", "[N,C]")])])])
    let r = Node(id: 6, name: "out/sink_port_0", type: "Result",
                 inputs: [InputPort(portID: 0, source: mul.output(0), elementType: .f32, shape: PartialShape(static: [2, 3]))])
    for n in [x, c1, add, c2, i8, mul, r] { g.add(n) }
    return g
}

@Suite struct IRWriterTests {
    @Test func writesTheExpectedXMLAndBin() throws {
        let (xml, bin) = try IRWriter.serialize(writerTestGraph())
        let expected = """
        <?xml version="1.0"?>
        <net name="net &lt;&amp;&gt; &quot;quoted&quot;" version="11">
        \t<layers>
        \t\t<layer id="0" name="x,in" type="Parameter" version="opset1">
        \t\t\t<data shape="2,3" element_type="f32" />
        \t\t\t<output>
        \t\t\t\t<port id="0" precision="FP32" names="x\\,in,alias">
        \t\t\t\t\t<dim>2</dim>
        \t\t\t\t\t<dim>3</dim>
        \t\t\t\t</port>
        \t\t\t</output>
        \t\t</layer>
        \t\t<layer id="1" name="c1" type="Const" version="opset1">
        \t\t\t<data element_type="f32" shape="3" offset="0" size="12" />
        \t\t\t<output>
        \t\t\t\t<port id="0" precision="FP32">
        \t\t\t\t\t<dim>3</dim>
        \t\t\t\t</port>
        \t\t\t</output>
        \t\t</layer>
        \t\t<layer id="2" name="add" type="Add" version="opset1">
        \t\t\t<data auto_broadcast="numpy" />
        \t\t\t<rt_info>
        \t\t\t\t<attribute name="fused_names" version="0" value="a,b" />
        \t\t\t</rt_info>
        \t\t\t<input>
        \t\t\t\t<port id="0" precision="FP32">
        \t\t\t\t\t<dim>2</dim>
        \t\t\t\t\t<dim>3</dim>
        \t\t\t\t</port>
        \t\t\t\t<port id="1" precision="FP32">
        \t\t\t\t\t<dim>3</dim>
        \t\t\t\t</port>
        \t\t\t</input>
        \t\t\t<output>
        \t\t\t\t<port id="2" precision="FP32">
        \t\t\t\t\t<dim>2</dim>
        \t\t\t\t\t<dim>-1</dim>
        \t\t\t\t</port>
        \t\t\t</output>
        \t\t</layer>
        \t\t<layer id="3" name="c2" type="Const" version="opset1">
        \t\t\t<data element_type="f32" shape="3" offset="0" size="12" />
        \t\t\t<output>
        \t\t\t\t<port id="0" precision="FP32">
        \t\t\t\t\t<dim>3</dim>
        \t\t\t\t</port>
        \t\t\t</output>
        \t\t</layer>
        \t\t<layer id="4" name="c3" type="Const" version="opset1">
        \t\t\t<data element_type="i8" shape="" offset="12" size="1" />
        \t\t\t<output>
        \t\t\t\t<port id="0" precision="I8" />
        \t\t\t</output>
        \t\t</layer>
        \t\t<layer id="5" name="mul" type="Multiply" version="opset1">
        \t\t\t<input>
        \t\t\t\t<port id="0" precision="FP32">
        \t\t\t\t\t<dim>2</dim>
        \t\t\t\t\t<dim>-1</dim>
        \t\t\t\t</port>
        \t\t\t\t<port id="1" precision="FP32">
        \t\t\t\t\t<dim>3</dim>
        \t\t\t\t</port>
        \t\t\t</input>
        \t\t\t<output>
        \t\t\t\t<port id="2" precision="FP32" names="out">
        \t\t\t\t\t<dim>2</dim>
        \t\t\t\t\t<dim>3</dim>
        \t\t\t\t\t<rt_info>
        \t\t\t\t\t\t<attribute name="layout" value="[N,C]" />
        \t\t\t\t\t</rt_info>
        \t\t\t\t</port>
        \t\t\t</output>
        \t\t</layer>
        \t\t<layer id="6" name="out/sink_port_0" type="Result" version="opset1">
        \t\t\t<input>
        \t\t\t\t<port id="0" precision="FP32">
        \t\t\t\t\t<dim>2</dim>
        \t\t\t\t\t<dim>3</dim>
        \t\t\t\t</port>
        \t\t\t</input>
        \t\t</layer>
        \t</layers>
        \t<edges>
        \t\t<edge from-layer="0" from-port="0" to-layer="2" to-port="0" />
        \t\t<edge from-layer="1" from-port="0" to-layer="2" to-port="1" />
        \t\t<edge from-layer="2" from-port="2" to-layer="5" to-port="0" />
        \t\t<edge from-layer="3" from-port="0" to-layer="5" to-port="1" />
        \t\t<edge from-layer="5" from-port="2" to-layer="6" to-port="0" />
        \t</edges>
        \t<rt_info>
        \t\t<framework>
        \t\t\t<source value="a&amp;b" />
        \t\t</framework>
        \t</rt_info>
        </net>

        """
        #expect(xml == expected)
        // c1 and c2 hold the same bytes: stored once. Then the i8 scalar, unpadded.
        #expect(bin.count == 13)
        #expect(Array(bin) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0xFF])
    }

    @Test func isDeterministic() throws {
        let a = try IRWriter.serialize(writerTestGraph()), b = try IRWriter.serialize(writerTestGraph())
        #expect(a.xml == b.xml && a.bin == b.bin)
    }

    @Test func writesSubGraphBodiesSharingTheBin() throws {
        let g = writerTestGraph()
        let body = Graph(name: "body")
        let p = Node(id: 0, name: "bp", type: "Parameter", attributes: Attributes([IRAttribute("shape", "3"), IRAttribute("element_type", "f32")]),
                     outputs: [OutputPort(portID: 0, elementType: .f32, shape: PartialShape(static: [3]))])
        let bc = Node(id: 1, name: "bc", type: "Const", outputs: [OutputPort(portID: 0, elementType: .f32, shape: PartialShape(static: [3]))],
                      constant: Tensor(shape: [3], scalars: [Float(1), 2, 3]))
        let br = Node(id: 2, name: "br", type: "Result", inputs: [InputPort(portID: 0, source: bc.output(0), elementType: .f32,
                                                                            shape: PartialShape(static: [3]))])
        for n in [p, bc, br] { body.add(n) }
        let portMap = IRElement(name: "port_map", children: [
            IRElement(name: "input", attributes: [IRAttribute("external_port_id", "0"), IRAttribute("internal_layer_id", "0")])])
        let loop = Node(id: 7, name: "ti", type: "TensorIterator",
                        inputs: [InputPort(portID: 0, source: g.node(id: 1)!.output(0), elementType: .f32, shape: PartialShape(static: [3]))],
                        outputs: [OutputPort(portID: 1, elementType: .f32, shape: PartialShape(static: [3]))],
                        bodies: ["body": body], sections: [portMap, IRElement(name: "back_edges")])
        g.add(loop)
        let (xml, bin) = try IRWriter.serialize(g)
        #expect(bin.count == 13)   // the body's constant equals c1's bytes
        #expect(xml.contains("\t\t\t<port_map>\n\t\t\t\t<input external_port_id=\"0\" internal_layer_id=\"0\" />\n\t\t\t</port_map>\n\t\t\t<back_edges />\n\t\t\t<input>"))
        #expect(xml.contains("\t\t\t<body>\n\t\t\t\t<layers>\n\t\t\t\t\t<layer id=\"0\" name=\"bp\""))
        #expect(xml.contains("\t\t\t\t\t\t<data element_type=\"f32\" shape=\"3\" offset=\"0\" size=\"12\" />"))
        #expect(xml.contains("\t\t\t\t<rt_info />\n\t\t\t</body>\n\t\t</layer>"))
    }

    @Test func writesBothFilesAtomically() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let xmlPath = dir.appendingPathComponent("m.xml").path
        try IRWriter.write(writerTestGraph(), xmlPath: xmlPath)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["m.bin", "m.xml"])
        #expect(try Data(contentsOf: dir.appendingPathComponent("m.bin")).count == 13)

        // A graph that cannot be written leaves nothing behind (and does not touch existing files).
        let bad = writerTestGraph()
        bad.node(id: 1)!.constant = nil
        let badPath = dir.appendingPathComponent("bad.xml").path
        #expect(throws: OVIRError.self) { try IRWriter.write(bad, xmlPath: badPath) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["m.bin", "m.xml"])
        // An unwritable target: an error naming the file, and no temporaries.
        let missing = dir.appendingPathComponent("no/such/m.xml").path
        do {
            try IRWriter.write(writerTestGraph(), xmlPath: missing)
            Issue.record("writing into a missing directory succeeded")
        } catch let e as OVIRError {
            #expect(e.file == missing)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["m.bin", "m.xml"])
    }

    @Test func errorsNameTheLayer() throws {
        let g = writerTestGraph()
        g.node(id: 5)!.inputs[1].source = nil
        do {
            _ = try IRWriter.serialize(g)
            Issue.record("a disconnected input was accepted")
        } catch let e as OVIRError {
            #expect(e.location?.contains("'mul'") == true && e.message.contains("not connected"))
        }
        let h = writerTestGraph()
        h.node(id: 0)!.attributes["shape"] = "2,\u{1}3"
        #expect(throws: OVIRError.self) { try IRWriter.serialize(h) }
    }

    @Test func addsTensorNamesForIRv10() throws {
        let g = writerTestGraph()
        g.irVersion = 10
        g.node(id: 0)!.outputs[0].names = ["alias"]
        g.node(id: 5)!.outputs[0].names = []
        g.node(id: 6)!.layerAttributes = [IRAttribute("output_names", "o1,o2")]
        let (xml, _) = try IRWriter.serialize(g)
        #expect(xml.contains("<port id=\"0\" precision=\"FP32\" names=\"alias,x\\,in\">"))
        #expect(xml.contains("<port id=\"2\" precision=\"FP32\" names=\"mul\">"))
        #expect(xml.contains("<layer id=\"6\" name=\"out/sink_port_0\" type=\"Result\" version=\"opset1\" output_names=\"o1,o2\">"))
    }
}
