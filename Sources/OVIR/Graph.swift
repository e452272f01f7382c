/// An OpenVINO model graph: layers (nodes) in IR file order, connected output-to-input.
///
/// `parameters` and `results` are in file order, which is OpenVINO's `model.inputs` / `model.outputs`
/// order for IR (checked on every shared model and conformance case).
public final class Graph {
    /// The `<net name=…>`.
    public var name: String
    /// The IR version read (10 or 11); the writer always writes 11.
    public var irVersion: Int
    /// Layers in file order (new nodes are appended).
    public private(set) var nodes: [Node]
    /// Model-level `<rt_info>` children, verbatim.
    public var rtInfo: [IRElement]

    public init(name: String, irVersion: Int = 11, nodes: [Node] = [], rtInfo: [IRElement] = []) {
        self.name = name
        self.irVersion = irVersion
        self.nodes = nodes
        self.rtInfo = rtInfo
    }

    public var parameters: [Node] { nodes.filter { $0.type == "Parameter" } }
    public var results: [Node] { nodes.filter { $0.type == "Result" } }

    /// The layer with this IR id.
    public func node(id: Int) -> Node? { nodes.first { $0.id == id } }
    /// The first layer with this name.
    public func node(named name: String) -> Node? { nodes.first { $0.name == name } }

    /// A fresh layer id (one above the largest in use).
    public func nextID() -> Int { (nodes.map(\.id).max() ?? -1) + 1 }

    /// Appends a node (its id must be unused).
    public func add(_ node: Node) {
        precondition(!nodes.contains { $0.id == node.id }, "Graph.add: duplicate layer id \(node.id)")
        nodes.append(node)
    }

    /// Removes a node. Inputs of other nodes that it feeds are disconnected (set to nil) unless
    /// `rewireTo` is given, in which case they read from that output instead.
    public func remove(_ node: Node, rewireTo replacement: OutputRef? = nil) {
        for other in nodes where other !== node {
            for i in other.inputs.indices where other.inputs[i].source?.node === node {
                other.inputs[i].source = replacement
            }
        }
        nodes.removeAll { $0 === node }
    }

    /// Every (consumer node, input index) reading `output`, in node order.
    public func consumers(of output: OutputRef) -> [(node: Node, input: Int)] {
        var out: [(Node, Int)] = []
        for n in nodes {
            for (i, inp) in n.inputs.enumerated() where inp.source == output { out.append((n, i)) }
        }
        return out
    }

    /// Consumers of every output of every node, computed once: `[ObjectIdentifier(node)][outputIndex]`.
    public func consumerMap() -> [ObjectIdentifier: [[(node: Node, input: Int)]]] {
        var map: [ObjectIdentifier: [[(node: Node, input: Int)]]] = [:]
        for n in nodes { map[ObjectIdentifier(n)] = Array(repeating: [], count: n.outputs.count) }
        for n in nodes {
            for (i, inp) in n.inputs.enumerated() {
                guard let s = inp.source, let key = Optional(ObjectIdentifier(s.node)), map[key] != nil,
                      s.index < map[key]!.count else { continue }
                map[key]![s.index].append((n, i))
            }
        }
        return map
    }

    /// Inserts `node` on the edge into `consumer`'s input `inputIndex`: the node's input 0 reads what
    /// the consumer read, and the consumer reads the node's output 0. Other consumers of the same
    /// producer are untouched.
    public func insert(_ node: Node, before consumer: Node, input inputIndex: Int) {
        precondition(inputIndex < consumer.inputs.count, "insert: input \(inputIndex) out of range")
        let source = consumer.inputs[inputIndex].source
        if node.inputs.isEmpty { node.inputs.append(InputPort(portID: 0)) }
        node.inputs[0].source = source
        if let source {
            node.inputs[0].elementType = source.port.elementType
            node.inputs[0].shape = source.port.shape
        }
        consumer.inputs[inputIndex].source = OutputRef(node, 0)
        add(node)
    }

    /// Nodes in a topological order (producers first; ties keep file order). Throws on a cycle,
    /// naming a layer on it.
    public func topologicalOrder() throws -> [Node] {
        var index: [ObjectIdentifier: Int] = [:]
        for (i, n) in nodes.enumerated() { index[ObjectIdentifier(n)] = i }
        var indegree = Array(repeating: 0, count: nodes.count)
        var users = Array(repeating: [Int](), count: nodes.count)
        for (i, n) in nodes.enumerated() {
            for inp in n.inputs {
                guard let s = inp.source, let j = index[ObjectIdentifier(s.node)] else { continue }
                indegree[i] += 1
                users[j].append(i)
            }
        }
        // Kahn's algorithm with a min-heap on file position would be O(n log n); a simple ready list
        // scanned in file order is plenty for IR sizes and keeps the order stable.
        var ready = indegree.indices.filter { indegree[$0] == 0 }.reversed().map { $0 }
        var order: [Node] = []
        order.reserveCapacity(nodes.count)
        while let i = ready.popLast() {
            order.append(nodes[i])
            var released: [Int] = []
            for u in users[i] {
                indegree[u] -= 1
                if indegree[u] == 0 { released.append(u) }
            }
            ready.append(contentsOf: released.sorted(by: >))
        }
        if order.count != nodes.count {
            let stuck = nodes.indices.first { indegree[$0] > 0 }.map { nodes[$0] }
            throw OVIRError(location: stuck?.label, "the graph has a cycle through this layer; expected an acyclic graph")
        }
        return order
    }
}

/// A reference to one output port of a node.
public struct OutputRef: Hashable, @unchecked Sendable {
    public let node: Node
    public let index: Int
    public init(_ node: Node, _ index: Int) { self.node = node; self.index = index }
    public var port: OutputPort { node.outputs[index] }
    public static func == (a: OutputRef, b: OutputRef) -> Bool { a.node === b.node && a.index == b.index }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(node)); h.combine(index) }
}

/// An input port: where it reads from, and the precision and dims the IR declared for it.
public struct InputPort: Hashable, @unchecked Sendable {
    /// The IR port id.
    public var portID: Int
    public var source: OutputRef?
    public var elementType: ElementType?
    public var shape: PartialShape
    public var rtInfo: [IRElement]
    public init(portID: Int, source: OutputRef? = nil, elementType: ElementType? = nil,
                shape: PartialShape = .dynamicRank, rtInfo: [IRElement] = []) {
        self.portID = portID
        self.source = source
        self.elementType = elementType
        self.shape = shape
        self.rtInfo = rtInfo
    }
}

/// An output port: element type, shape and tensor names.
public struct OutputPort: Hashable, Sendable {
    /// The IR port id.
    public var portID: Int
    public var elementType: ElementType
    public var shape: PartialShape
    /// Tensor names (`names="a,b"`); the first is OpenVINO's `any_name`.
    public var names: [String]
    public var rtInfo: [IRElement]
    public init(portID: Int, elementType: ElementType, shape: PartialShape, names: [String] = [], rtInfo: [IRElement] = []) {
        self.portID = portID
        self.elementType = elementType
        self.shape = shape
        self.names = names
        self.rtInfo = rtInfo
    }
}

/// One layer of the IR.
public final class Node: Hashable, CustomStringConvertible {
    /// The IR layer id (unique within its graph).
    public let id: Int
    public var name: String
    /// The op type (`Convolution`, `Parameter`, …).
    public var type: String
    /// The opset the layer names (`opset1`, …; `extension` names for custom ops).
    public var version: String
    /// `<data>` attributes.
    public var attributes: Attributes
    public var inputs: [InputPort]
    public var outputs: [OutputPort]
    /// The value of a `Const` layer.
    public var constant: Tensor?
    /// Sub-graph bodies by element name (`body`, `then_body`, `else_body`).
    public var bodies: [String: Graph]
    /// Other sub-graph sections verbatim (`port_map`, `back_edges`, `then_port_map`, `else_port_map`).
    public var sections: [IRElement]
    /// The layer's `<rt_info>` children, verbatim.
    public var rtInfo: [IRElement]
    /// Attributes of the `<layer>` element other than id, name, type and version, verbatim
    /// (e.g. a Result's `output_names`, which OpenVINO 2025+ writes and reads as the output's tensor names).
    public var layerAttributes: [IRAttribute] = []

    public init(id: Int, name: String, type: String, version: String = "opset1", attributes: Attributes = Attributes(),
                inputs: [InputPort] = [], outputs: [OutputPort] = [], constant: Tensor? = nil,
                bodies: [String: Graph] = [:], sections: [IRElement] = [], rtInfo: [IRElement] = []) {
        self.id = id
        self.name = name
        self.type = type
        self.version = version
        self.attributes = attributes
        self.inputs = inputs
        self.outputs = outputs
        self.constant = constant
        self.bodies = bodies
        self.sections = sections
        self.rtInfo = rtInfo
    }

    /// The opset number of `version` (`opset8` → 8), nil for non-opset versions.
    public var opsetNumber: Int? {
        guard version.hasPrefix("opset") else { return nil }
        return Int(version.dropFirst(5))
    }

    /// `'name' (id N, Type)` for error messages.
    public var label: String { "layer '\(name)' (id \(id), \(type))" }
    public var description: String { label }

    public func output(_ i: Int = 0) -> OutputRef { OutputRef(self, i) }

    public static func == (a: Node, b: Node) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}
