import OVIR

/// Applies a ``PlacementPlan`` to a real ``Graph``: POT's model preprocessing (constant MatMul
/// weights transposed, zero biases after bias-less convolutions) and the FakeQuantize layers with
/// their four range constants.
///
/// A thin adapter over the placement plan: the plan decides where and what; this only edits the graph.
package enum PlanApplication {
    static func node(_ g: Graph, _ name: String, for what: String) throws -> Node {
        guard let n = g.node(named: name) else { throw OVIRError("\(what): no layer named '\(name)' in the model") }
        return n
    }

    /// The plan's preprocessing rewrites (do this before collecting statistics: quantizers may read
    /// the zero-bias Adds it creates).
    package static func preprocess(_ g: Graph, plan: PlacementPlan) throws {
        for name in plan.transposedMatMulWeights {
            let mm = try node(g, name, for: "MatMul weights transposition")
            guard mm.inputs.count > 1, let src = mm.inputs[1].source, let w = src.node.constant, w.rank >= 2 else { continue }
            let t = try transposeLastTwo(w)
            let c = Node(id: g.nextID(), name: src.node.name, type: "Const", version: src.node.version,
                         outputs: [OutputPort(portID: 0, elementType: t.elementType, shape: PartialShape(static: t.shape),
                                              names: src.port.names)],
                         constant: t)
            g.add(c)
            mm.inputs[1].source = OutputRef(c, 0)
            mm.inputs[1].shape = PartialShape(static: t.shape)
            let was = (try? mm.attributes.bool("transpose_b", default: false)) ?? false
            mm.attributes["transpose_b"] = was ? "false" : "true"
            if g.consumers(of: src).isEmpty { g.remove(src.node) }
        }
        for name in plan.zeroBiasConvolutions {
            let conv = try node(g, name, for: "zero bias")
            guard let out = conv.outputs.first, let dims = out.shape.dims, dims.count >= 2,
                  case .fixed(let channels) = dims[1] else { continue }
            var shape = Array(repeating: 1, count: dims.count)
            shape[1] = channels
            let zeros = Tensor(shape: shape, scalars: [Float](repeating: 0, count: channels))
            let c = Node(id: g.nextID(), name: PlacementPlan.zeroBiasName(name) + "/bias", type: "Const",
                         outputs: [OutputPort(portID: 0, elementType: .f32, shape: PartialShape(static: shape))], constant: zeros)
            g.add(c)
            let add = Node(id: g.nextID(), name: PlacementPlan.zeroBiasName(name), type: "Add",
                           attributes: Attributes([IRAttribute("auto_broadcast", "numpy")]),
                           inputs: [InputPort(portID: 0, source: conv.output(0), elementType: out.elementType, shape: out.shape),
                                    InputPort(portID: 1, source: c.output(0), elementType: .f32, shape: PartialShape(static: shape))],
                           outputs: [OutputPort(portID: 2, elementType: out.elementType, shape: out.shape, names: out.names)])
            for (consumer, i) in g.consumers(of: conv.output(0)) { consumer.inputs[i].source = add.output(0) }
            conv.outputs[0].names = []
            g.add(add)
        }
    }

    static func transposeLastTwo(_ w: Tensor) throws -> Tensor {
        let s = w.shape, r = s.count, rows = s[r - 2], cols = s[r - 1]
        let outer = s.dropLast(2).reduce(1, *)
        let v = w.floatValues()
        var out = [Float](repeating: 0, count: v.count)
        for o in 0..<outer {
            let base = o * rows * cols
            for i in 0..<rows { for j in 0..<cols { out[base + j * rows + i] = v[base + i * cols + j] } }
        }
        var shape = s
        shape.swapAt(r - 2, r - 1)
        return Tensor(shape: shape, scalars: out)
    }

    /// The weights tensor a weight quantizer sees, in POT's convolution form (GroupConvolution
    /// weights `[G, O/G, …]` as `[G·O/G, …]`).
    package static func weightsView(_ w: Tensor, _ q: PlannedQuantizer) throws -> Tensor {
        if q.rangeShape.count >= 2, w.rank == q.rangeShape.count + 1 {
            return try w.reshaped([w.shape[0] * w.shape[1]] + w.shape.dropFirst(2))
        }
        return w
    }

    /// Inserts one FakeQuantize with its range constants (shaped for the tensor it reads).
    package static func insert(_ q: PlannedQuantizer, ranges: [Tensor], into g: Graph) throws {
        let producer = try node(g, q.producer.node, for: "quantizer '\(q.name)'")
        guard q.producer.output < producer.outputs.count else {
            throw OVIRError("quantizer '\(q.name)': layer '\(producer.name)' has no output \(q.producer.output)")
        }
        let src = producer.output(q.producer.output)
        let port = src.port
        var consts: [Node] = []
        for (k, suffix) in ["input_low", "input_high", "output_low", "output_high"].enumerated() {
            var t = ranges[k]
            // GroupConvolution weights stay [G, O/G, …] in SwiftPOT's graph: the per-channel range
            // [G·O/G, 1, …] is laid out the same way.
            if let dims = port.shape.dims, !t.shape.isEmpty, t.rank == dims.count - 1, t.count > 1 {
                let full = dims.compactMap { if case .fixed(let d) = $0 { return d } else { return nil } }
                if full.count == dims.count, full[0] * full[1] == t.count {
                    t = try t.reshaped([full[0], full[1]] + Array(repeating: 1, count: dims.count - 2))
                }
            }
            let c = Node(id: g.nextID(), name: "\(q.name)/\(suffix)", type: "Const",
                         outputs: [OutputPort(portID: 0, elementType: .f32, shape: PartialShape(static: t.shape))], constant: t)
            g.add(c)
            consts.append(c)
        }
        var inputs = [InputPort(portID: 0, source: src, elementType: port.elementType, shape: port.shape)]
        for (k, c) in consts.enumerated() {
            inputs.append(InputPort(portID: k + 1, source: c.output(0), elementType: .f32, shape: c.outputs[0].shape))
        }
        let fq = Node(id: g.nextID(), name: q.name, type: "FakeQuantize",
                      attributes: Attributes([IRAttribute("levels", String(q.levels)), IRAttribute("auto_broadcast", "numpy")]),
                      inputs: inputs, outputs: [OutputPort(portID: 5, elementType: port.elementType, shape: port.shape)])
        g.add(fq)
        for edge in q.consumers {
            let consumer = try node(g, edge.node, for: "quantizer '\(q.name)'")
            guard edge.input < consumer.inputs.count else {
                throw OVIRError("quantizer '\(q.name)': layer '\(edge.node)' has no input \(edge.input)")
            }
            consumer.inputs[edge.input].source = fq.output(0)
        }
    }
}
