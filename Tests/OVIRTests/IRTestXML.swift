import Foundation
import OVIR

/// Small IR documents written by hand for reader tests (valid ones, and broken ones built from them).
enum IRTestXML {
    static func param(_ id: Int, _ name: String, shape: String = "1,4", type: String = "f32", names: String? = nil,
                      dims: [String]? = nil) -> String {
        let dimList = dims ?? shape.split(separator: ",").map(String.init)
        let dimXML = dimList.map { "<dim>\($0)</dim>" }.joined()
        return """
        <layer id="\(id)" name="\(name)" type="Parameter" version="opset1">
          <data shape="\(shape)" element_type="\(type)"/>
          <output><port id="0" precision="\(precision(type))" names="\(names ?? name)">\(dimXML)</port></output>
        </layer>
        """
    }

    static func relu(_ id: Int, _ name: String, dims: [String] = ["1", "4"], names: String? = nil) -> String {
        let d = dims.map { "<dim>\($0)</dim>" }.joined()
        return """
        <layer id="\(id)" name="\(name)" type="ReLU" version="opset1">
          <input><port id="0" precision="FP32">\(d)</port></input>
          <output><port id="1" precision="FP32" names="\(names ?? name)">\(d)</port></output>
        </layer>
        """
    }

    static func add(_ id: Int, _ name: String) -> String {
        """
        <layer id="\(id)" name="\(name)" type="Add" version="opset1">
          <data auto_broadcast="numpy"/>
          <input><port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port><port id="1" precision="FP32"><dim>1</dim><dim>4</dim></port></input>
          <output><port id="2" precision="FP32" names="\(name)"><dim>1</dim><dim>4</dim></port></output>
        </layer>
        """
    }

    static func const(_ id: Int, _ name: String, type: String = "f32", shape: String = "1,4", offset: Int = 0,
                      size: Int = 16, dims: [String]? = nil) -> String {
        let d = (dims ?? shape.split(separator: ",").map(String.init)).map { "<dim>\($0)</dim>" }.joined()
        return """
        <layer id="\(id)" name="\(name)" type="Const" version="opset1">
          <data element_type="\(type)" shape="\(shape)" offset="\(offset)" size="\(size)"/>
          <output><port id="0" precision="\(precision(type))">\(d)</port></output>
        </layer>
        """
    }

    static func result(_ id: Int, _ name: String, dims: [String] = ["1", "4"], extra: String = "") -> String {
        let d = dims.map { "<dim>\($0)</dim>" }.joined()
        return """
        <layer id="\(id)" name="\(name)" type="Result" version="opset1"\(extra)>
          <input><port id="0" precision="FP32">\(d)</port></input>
        </layer>
        """
    }

    static func edge(_ fromLayer: Int, _ fromPort: Int, _ toLayer: Int, _ toPort: Int) -> String {
        "<edge from-layer=\"\(fromLayer)\" from-port=\"\(fromPort)\" to-layer=\"\(toLayer)\" to-port=\"\(toPort)\"/>"
    }

    static func net(_ layers: [String], _ edges: [String], version: String = "11", name: String = "t") -> String {
        """
        <?xml version="1.0"?>
        <net name="\(name)" version="\(version)">
        <layers>
        \(layers.joined(separator: "\n"))
        </layers>
        <edges>
        \(edges.joined(separator: "\n"))
        </edges>
        <rt_info><Runtime_version value="test"/></rt_info>
        </net>
        """
    }

    /// Parameter x → ReLU y → Result.
    static let minimal = net([param(0, "x"), relu(1, "y"), result(2, "y/sink_port_0")], [edge(0, 0, 1, 0), edge(1, 1, 2, 0)])

    /// Parameter x + Const c → Add → Result, with 16 bytes of weights.
    static func withConst(_ constLayer: String = const(1, "c")) -> String {
        net([param(0, "x"), constLayer, add(2, "sum"), result(3, "out")],
            [edge(0, 0, 2, 0), edge(1, 0, 2, 1), edge(2, 2, 3, 0)])
    }

    static func read(_ xml: String, weights: Data? = nil, fileName: String = "test.xml") throws -> Graph {
        try IRReader.read(xmlData: Data(xml.utf8), weights: weights.map { WeightsFile(data: $0) }, fileName: fileName)
    }

    /// The error `body` throws, as text (nil when it does not throw an OVIRError).
    static func errorText(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as OVIRError { return e.description } catch { return "non-OVIRError: \(error)" }
        return nil
    }

    static func precision(_ type: String) -> String {
        ElementType(irName: type)?.irPrecision ?? type.uppercased()
    }
}
