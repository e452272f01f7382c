import OVIR

/// Builds small graphs in tests: parameters, constants and ops, wired output-to-input.
///
/// ```swift
/// let b = GraphBuilder()
/// let x = b.parameter("x", .f32, [2, 3])
/// let y = b.op("Relu", [x])
/// b.result(y)
/// let graph = b.graph
/// ```
public final class GraphBuilder {
    public let graph: Graph
    public init(name: String = "test") { graph = Graph(name: name) }

    private func nextID() -> Int { graph.nextID() }

    /// A Parameter with a static or partial shape.
    @discardableResult
    public func parameter(_ name: String, _ type: ElementType, _ shape: [Int]) -> OutputRef {
        parameter(name, type, PartialShape(static: shape))
    }

    @discardableResult
    public func parameter(_ name: String, _ type: ElementType, _ shape: PartialShape) -> OutputRef {
        let shapeText = shape.dims.map { $0.map(\.description).joined(separator: ",") } ?? "..."
        let n = Node(id: nextID(), name: name, type: "Parameter", version: "opset1",
                     attributes: Attributes([IRAttribute("shape", shapeText), IRAttribute("element_type", type.rawValue)]),
                     outputs: [OutputPort(portID: 0, elementType: type, shape: shape, names: [name])])
        graph.add(n)
        return n.output(0)
    }

    /// A Const holding `tensor`.
    @discardableResult
    public func constant(_ tensor: Tensor, name: String? = nil) -> OutputRef {
        let id = nextID()
        let n = Node(id: id, name: name ?? "const_\(id)", type: "Const", version: "opset1",
                     attributes: Attributes([IRAttribute("element_type", tensor.elementType.rawValue),
                                             IRAttribute("shape", tensor.shape.map(String.init).joined(separator: ","))]),
                     outputs: [OutputPort(portID: 0, elementType: tensor.elementType, shape: PartialShape(static: tensor.shape))],
                     constant: tensor)
        graph.add(n)
        return n.output(0)
    }

    /// An f32 Const.
    @discardableResult
    public func constant(_ values: [Float], shape: [Int]) -> OutputRef { constant(Tensor(shape: shape, scalars: values)) }

    /// An i64 Const.
    @discardableResult
    public func constant(i64 values: [Int64], shape: [Int]? = nil) -> OutputRef {
        constant(Tensor(shape: shape ?? [values.count], scalars: values))
    }

    /// An op node. Output ports are declared with unknown shapes (`outputs` of them, typed f32): the
    /// interpreter infers the real types and shapes when compiling.
    @discardableResult
    public func node(_ type: String, _ inputs: [OutputRef], attributes: [String: String] = [:],
                     version: String = "opset13", outputs: Int = 1, name: String? = nil) -> Node {
        let id = nextID()
        let attrs = Attributes(attributes.sorted { $0.key < $1.key }.map { IRAttribute($0.key, $0.value) })
        let ins = inputs.enumerated().map { (i, src) in
            InputPort(portID: i, source: src, elementType: src.port.elementType, shape: src.port.shape)
        }
        let outs = (0..<outputs).map { OutputPort(portID: inputs.count + $0, elementType: .f32, shape: .dynamicRank) }
        let n = Node(id: id, name: name ?? "\(type.lowercased())_\(id)", type: type, version: version,
                     attributes: attrs, inputs: ins, outputs: outs)
        graph.add(n)
        return n
    }

    /// An op node with one output; returns that output.
    @discardableResult
    public func op(_ type: String, _ inputs: [OutputRef], _ attributes: [String: String] = [:],
                   version: String = "opset13", name: String? = nil) -> OutputRef {
        node(type, inputs, attributes: attributes, version: version, name: name).output(0)
    }

    /// A Result reading `value`.
    @discardableResult
    public func result(_ value: OutputRef, name: String? = nil) -> Node {
        let id = nextID()
        let n = Node(id: id, name: name ?? "result_\(id)", type: "Result", version: "opset1",
                     inputs: [InputPort(portID: 0, source: value, elementType: value.port.elementType, shape: value.port.shape)])
        graph.add(n)
        return n
    }
}
