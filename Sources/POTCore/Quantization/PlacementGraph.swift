import OVIR

/// A working copy of the model as POT sees it after loading (POT works on Model Optimizer's graph
/// restored from the IR, not on the IR itself). Differences from the IR that matter for placement:
/// - `GroupConvolution` has type `Convolution` (with a `group`), and a Reshape on its weights is gone
///   (MO `ir_reader/layer_to_class.py`, `groupconv_to_conv`);
/// - sub-graphs computed from constants only are folded into `Const` (MO `Graph.clean_up`:
///   `mark_const_producer_nodes` + `eliminate_dead_nodes` + `add_constant_operations`); values that
///   depend on a ShapeOf stay as ops but are known ("valued");
/// - MaxPool/TopK outputs nobody reads get a fake Result (MO `Op.normalize_outputs`).
/// FakeQuantize nodes are added and moved on this copy, exactly as POT's passes do.
final class PNode {
    let uid: Int
    var name: String
    var type: String
    /// The IR layer this node stands for (nil for nodes the passes create).
    let origin: Node?
    var inputs: [PPort?]
    /// Consumers of each output, in connection order.
    var outputs: [[PPort]]
    var outTypes: [ElementType?]
    var outShapes: [[Int]?]
    /// Whether each output's value is known while loading (constant or shape-derived).
    var valued: [Bool]
    var skipped = false
    var group = 1
    /// Folded MatMul weights POT would transpose but SwiftPOT does not: channels on the last axis.
    var lastAxisChannels = false
    // FakeQuantize bookkeeping (POT's fq_group / fq_configs / fq_config_priority).
    var fqKind: QuantizerKind = .activations
    var fqPriority = 1
    var removed = false

    init(uid: Int, name: String, type: String, origin: Node?, inputs: Int, outputs: Int) {
        self.uid = uid
        self.name = name
        self.type = type
        self.origin = origin
        self.inputs = Array(repeating: nil, count: inputs)
        self.outputs = Array(repeating: [], count: outputs)
        self.outTypes = Array(repeating: nil, count: outputs)
        self.outShapes = Array(repeating: nil, count: outputs)
        self.valued = Array(repeating: false, count: outputs)
    }

    var allConsumers: [PNode] { outputs.flatMap { $0.map(\.node) } }
    func input(_ i: Int) -> PNode? { i < inputs.count ? inputs[i]?.node : nil }
    var inputNodes: [PNode] { inputs.compactMap { $0?.node } }
    func inputShape(_ i: Int) -> [Int]? {
        guard i < inputs.count, let p = inputs[i] else { return nil }
        return p.node.outShapes[p.index]
    }
    func inputType(_ i: Int) -> ElementType? {
        guard i < inputs.count, let p = inputs[i] else { return nil }
        return p.node.outTypes[p.index]
    }
    func inputValued(_ i: Int) -> Bool {
        guard i < inputs.count, let p = inputs[i] else { return false }
        return p.node.valued[p.index]
    }
}

/// A port of a node: an output (as a source) or an input (as a consumer).
struct PPort: Hashable {
    let node: PNode
    let index: Int
    static func == (a: PPort, b: PPort) -> Bool { a.node === b.node && a.index == b.index }
    func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(node)); h.combine(index) }
}

final class PGraph {
    private(set) var nodes: [PNode] = []
    private var nextUID = 0

    var live: [PNode] { nodes.filter { !$0.removed } }

    @discardableResult
    func add(name: String, type: String, origin: Node? = nil, inputs: Int, outputs: Int) -> PNode {
        let n = PNode(uid: nextUID, name: name, type: type, origin: origin, inputs: inputs, outputs: outputs)
        nextUID += 1
        nodes.append(n)
        return n
    }

    func connect(_ src: PPort, _ dst: PPort) {
        dst.node.inputs[dst.index] = src
        src.node.outputs[src.index].append(dst)
    }

    func disconnect(_ dst: PPort) {
        guard let src = dst.node.inputs[dst.index] else { return }
        src.node.outputs[src.index].removeAll { $0 == dst }
        dst.node.inputs[dst.index] = nil
    }

    /// Moves every consumer of `from` to read `to` instead (appended after `to`'s own consumers).
    func moveConsumers(of from: PPort, to: PPort) {
        let moved = from.node.outputs[from.index]
        from.node.outputs[from.index] = []
        for c in moved {
            c.node.inputs[c.index] = to
            to.node.outputs[to.index].append(c)
        }
    }

    func remove(_ n: PNode) {
        for i in n.inputs.indices { disconnect(PPort(node: n, index: i)) }
        for o in n.outputs.indices {
            for c in n.outputs[o] { c.node.inputs[c.index] = nil }
            n.outputs[o] = []
        }
        n.removed = true
    }

    func node(named name: String) -> PNode? { nodes.first { !$0.removed && $0.name == name } }
}

extension PGraph {
    /// Ops whose output MO computes when all their inputs are known (value propagation in MO's
    /// shape inference); anything else (Convolution, Parameter, Convert from IR, FakeQuantize, …) is
    /// never folded.
    static let valuePropagating: Set<String> = [
        "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Gather", "StridedSlice", "Slice", "Add",
        "Subtract", "Multiply", "Divide", "Power", "Maximum", "Minimum", "Broadcast", "Tile", "Range",
        "ReduceProd", "ReduceSum", "ReduceMin", "ReduceMax", "Split", "VariadicSplit", "Select", "Floor",
        "Ceiling", "Negative", "Abs", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual",
        "LogicalAnd", "LogicalOr", "LogicalNot", "Sqrt", "Exp", "Log", "FloorMod", "Mod", "Pad", "ScatterUpdate",
    ]

    /// Builds POT's view of `graph` (see ``PNode``).
    static func load(_ graph: Graph) throws -> PGraph {
        let g = PGraph()
        var map: [ObjectIdentifier: PNode] = [:]
        let order = try graph.topologicalOrder()
        for n in graph.nodes {
            let type = n.type == "GroupConvolution" ? "Convolution" : (n.type == "Constant" ? "Const" : n.type)
            let p = g.add(name: n.name, type: type, origin: n, inputs: n.inputs.count, outputs: n.outputs.count)
            for (i, o) in n.outputs.enumerated() {
                p.outTypes[i] = o.elementType
                p.outShapes[i] = o.shape.staticShape
            }
            map[ObjectIdentifier(n)] = p
        }
        for n in graph.nodes {
            guard let dst = map[ObjectIdentifier(n)] else { continue }
            for (i, inp) in n.inputs.enumerated() {
                guard let s = inp.source, let src = map[ObjectIdentifier(s.node)] else { continue }
                g.connect(PPort(node: src, index: s.index), PPort(node: dst, index: i))
            }
        }
        // GroupConvolution: group count from the weights, and MO drops the weights Reshape (before folding).
        for p in g.nodes where p.origin?.type == "GroupConvolution" {
            if let w = p.inputs[1], let s = w.node.outShapes[w.index], let first = s.first { p.group = first }
            if let w = p.inputs[1], w.node.type == "Reshape", let src = w.node.inputs[0], src.node.type == "Const" {
                g.disconnect(PPort(node: p, index: 1))
                g.connect(src, PPort(node: p, index: 1))
            }
        }
        // Values known at load time, and which of them come from constants only (folded).
        var folded: Set<ObjectIdentifier> = []
        for n in order {
            guard let p = map[ObjectIdentifier(n)] else { continue }
            let ins = p.inputs.compactMap { $0 }
            // POT `remove_converts`: a Convert of an f16 Const (compressed weights) folds like a Const.
            let compressed = p.type == "Convert" && ins.count == 1 && ins[0].node.type == "Const"
                && ins[0].node.outTypes[ins[0].index] == .f16
            if p.type == "Const" || compressed {
                p.valued = p.valued.map { _ in true }
                folded.insert(ObjectIdentifier(p))
            } else if p.type == "ShapeOf" {
                p.valued[0] = p.inputShape(0) != nil
            } else if !ins.isEmpty, valuePropagating.contains(p.type), ins.allSatisfy({ $0.node.valued[$0.index] }) {
                p.valued = p.valued.map { _ in true }
                if ins.allSatisfy({ folded.contains(ObjectIdentifier($0.node)) }) { folded.insert(ObjectIdentifier(p)) }
            }
        }
        for p in g.nodes where p.type != "Const" && folded.contains(ObjectIdentifier(p)) {
            for i in p.inputs.indices { g.disconnect(PPort(node: p, index: i)) }
            p.type = "Const"
            p.inputs = []
        }
        for p in g.nodes where (p.type == "MaxPool" || p.type == "TopK") && p.outputs.count > 1 {
            for o in p.outputs.indices where p.outputs[o].isEmpty {
                let r = g.add(name: "\(p.name)/Fake_output_\(o)/", type: "Result", inputs: 1, outputs: 0)
                g.connect(PPort(node: p, index: o), PPort(node: r, index: 0))
            }
        }
        return g
    }

    /// POT's bias lookup (`node_utils.get_bias_for_node`): the only consumer of output 0 is an Add with
    /// a Const input.
    func biasAdd(of n: PNode) -> PNode? {
        guard let outs = n.outputs.first, outs.count == 1 else { return nil }
        let add = outs[0].node
        guard add.type == "Add", add.inputNodes.count > 1, add.inputNodes.contains(where: { $0.type == "Const" }) else {
            return nil
        }
        return add
    }

    /// POT `InsertBiasNode.insert_null_biases`: every Convolution (grouped too) without a bias Add
    /// gets `Add(conv, zeros)` named `<conv>/add_`. Returns the convolutions changed.
    func insertZeroBiases() -> [String] {
        var changed: [String] = []
        for conv in nodes where !conv.removed && conv.type == "Convolution" && biasAdd(of: conv) == nil {
            let add = add(name: PlacementPlan.zeroBiasName(conv.name), type: "Add", inputs: 2, outputs: 1)
            add.outTypes[0] = conv.outTypes[0]
            add.outShapes[0] = conv.outShapes[0]
            let zero = self.add(name: conv.name + "/add_/bias", type: "Const", inputs: 0, outputs: 1)
            zero.valued[0] = true
            zero.outTypes[0] = conv.outTypes[0]
            moveConsumers(of: PPort(node: conv, index: 0), to: PPort(node: add, index: 0))
            connect(PPort(node: conv, index: 0), PPort(node: add, index: 0))
            connect(PPort(node: zero, index: 0), PPort(node: add, index: 1))
            changed.append(conv.name)
        }
        return changed
    }

    /// POT `IgnoreShapeSubgraph`: nodes fed by a ShapeOf whose outputs are all known values are skipped.
    func markShapeSubgraphs() {
        for shapeOf in nodes where !shapeOf.removed && shapeOf.type == "ShapeOf" {
            var queue = shapeOf.outputs.flatMap { $0 }
            var seen: Set<PPort> = []
            while !queue.isEmpty {
                let port = queue.removeFirst()
                guard seen.insert(port).inserted else { continue }
                let n = port.node
                let next = n.outputs.indices.flatMap { o in n.outputs[o].map { (o, $0) } }
                if next.contains(where: { !n.valued[$0.0] }) { continue }
                n.skipped = true
                queue += next.map(\.1)
            }
        }
    }
}
