import OVInterpreter

/// One-op (or few-op) graphs for kernel benchmarks, compiled with the interpreter's fast kernels.
final class ModelBuilder {
    let graph = Graph(name: "bench")
    var inputs: [Tensor] = []
    private var seed: UInt64 = 1

    func random(_ shape: [Int], scale: Float = 1) -> Tensor {
        let values: [Float] = (0..<shape.reduce(1, *)).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return (Float((seed >> 40) & 0xFFFF) / 32768 - 1) * scale
        }
        return Tensor(shape: shape, scalars: values)
    }

    func parameter(_ shape: [Int]) -> OutputRef {
        let name = "in\(inputs.count)"
        let n = Node(id: graph.nextID(), name: name, type: "Parameter", version: "opset1",
                     attributes: Attributes([IRAttribute("shape", shape.map(String.init).joined(separator: ",")),
                                             IRAttribute("element_type", "f32")]),
                     outputs: [OutputPort(portID: 0, elementType: .f32, shape: PartialShape(static: shape), names: [name])])
        graph.add(n)
        inputs.append(random(shape))
        return n.output(0)
    }

    func constant(_ t: Tensor) -> OutputRef {
        let id = graph.nextID()
        let n = Node(id: id, name: "const_\(id)", type: "Const", version: "opset1",
                     attributes: Attributes([IRAttribute("element_type", t.elementType.rawValue),
                                             IRAttribute("shape", t.shape.map(String.init).joined(separator: ","))]),
                     outputs: [OutputPort(portID: 0, elementType: t.elementType, shape: PartialShape(static: t.shape))],
                     constant: t)
        graph.add(n)
        return n.output(0)
    }

    func op(_ type: String, _ ins: [OutputRef], _ attrs: [String: String] = [:], version: String = "opset1") -> OutputRef {
        let ports = ins.enumerated().map { InputPort(portID: $0.offset, source: $0.element, elementType: .f32, shape: $0.element.port.shape) }
        let n = Node(id: graph.nextID(), name: "\(type)_\(graph.nextID())", type: type, version: version,
                     attributes: Attributes(attrs.sorted { $0.key < $1.key }.map { IRAttribute($0.key, $0.value) }),
                     inputs: ports, outputs: [OutputPort(portID: ins.count, elementType: .f32, shape: .dynamicRank)])
        graph.add(n)
        return n.output(0)
    }

    func compile(_ out: OutputRef, threads: Int = 1) throws -> CompiledModel {
        let r = Node(id: graph.nextID(), name: "result", type: "Result", version: "opset1",
                     inputs: [InputPort(portID: 0, source: out, elementType: .f32, shape: out.port.shape)])
        graph.add(r)
        return try CompiledModel(graph: graph, options: CompileOptions(threads: threads))
    }

    static func conv(_ strides: Int, _ pad: Int) -> [String: String] {
        ["strides": "\(strides),\(strides)", "dilations": "1,1", "pads_begin": "\(pad),\(pad)", "pads_end": "\(pad),\(pad)", "auto_pad": "explicit"]
    }
}
