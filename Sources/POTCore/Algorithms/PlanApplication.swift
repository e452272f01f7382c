import OVIR

/// How the range computation reads a ``PlacementPlan`` against the model as loaded (before the
/// plan's preprocessing and FakeQuantize layers are applied by `QuantizerPlacement.insertFakeQuantize`).
package enum PlanApplication {
    /// Where an activation quantizer's statistics are collected. A zero-bias Add the plan will create
    /// (`<conv>/add_`) reads exactly its convolution's output.
    package static func statisticPoint(_ q: PlannedQuantizer, plan: PlacementPlan) -> StatisticPoint {
        for conv in plan.zeroBiasConvolutions where PlacementPlan.zeroBiasName(conv) == q.producer.node {
            return StatisticPoint(node: conv, port: 0)
        }
        return StatisticPoint(node: q.producer.node, port: q.producer.output)
    }

    /// The weights a weight quantizer sees, in POT's form: MatMul weights the plan transposes are
    /// transposed, GroupConvolution weights `[G, O/G, …]` are `[G·O/G, …]`. A Const under a Convert
    /// (compressed weights) is read through it.
    package static func weights(_ g: Graph, _ q: PlannedQuantizer, plan: PlacementPlan) throws -> Tensor {
        guard let n = g.node(named: q.producer.node) else {
            throw OVIRError("quantizer '\(q.name)': no layer named '\(q.producer.node)' in the model")
        }
        var value = n.constant
        if n.type == "Convert", let src = n.inputs.first?.source?.node, src.type == "Const" { value = src.constant }
        guard var w = value else { throw OVIRError("quantizer '\(q.name)': weights producer \(n.label) is not a constant") }
        if w.elementType != .f32 { w = Tensor(shape: w.shape, scalars: w.floatValues()) }
        let consumers = q.consumers.compactMap { g.node(named: $0.node) }
        if consumers.contains(where: { plan.transposedMatMulWeights.contains($0.name) }), w.rank >= 2 {
            w = try transposeLastTwo(w)
        }
        if consumers.contains(where: { $0.type == "GroupConvolution" }), let data = consumers.first?.inputs.first?.shape.rank,
           w.rank == data + 1 {
            w = try w.reshaped([w.shape[0] * w.shape[1]] + w.shape.dropFirst(2))
        }
        return w
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
}
