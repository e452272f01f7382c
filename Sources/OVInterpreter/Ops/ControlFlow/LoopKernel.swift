/// Loop-5 and TensorIterator-1: run the body repeatedly. Loop reads a trip count (input 0, negative
/// = unbounded) and an execution condition (input 1); the body may read the iteration number
/// (`purpose="current_iteration"`) and decide whether to go on (`purpose="execution_condition"`).
/// Sliced inputs feed one part per iteration, back edges carry a Result into a Parameter for the
/// next iteration, and outputs are either the last iteration's value or the iterations' values
/// concatenated along an axis (in reverse for a negative stride).
final class LoopKernel: Kernel {
    let isLoop: Bool
    let body: CompiledModel
    let map: BodyPortMap
    /// IR-declared output shapes, used when inference cannot fix a dim.
    let declared: [PartialShape]
    private let bodyGraph: Graph?
    /// The body recompiled with dynamic Parameter dims, once a carried value changed shape.
    private var relaxedBody: CompiledModel?
    var allocatesOutputs: Bool { true }

    init(node: Node, isLoop: Bool) throws {
        self.isLoop = isLoop
        body = try ControlFlowOps.compileBody(node, "body")
        map = try BodyPortMap(node: node, body: body, portMap: "port_map", backEdges: "back_edges")
        declared = node.outputs.map(\.shape)
        bodyGraph = node.bodies["body"]
        for m in map.outputs where m.purpose != "execution_condition" && m.external == nil {
            throw OVIRError("<port_map> output for body Result \(m.bodyIndex) has no external_port_id")
        }
    }

    private var outputCount: Int { (map.outputs.compactMap(\.external).max() ?? -1) + 1 }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        if isLoop && inputs.count < 2 {
            throw OVIRError("Loop expects a trip count and an execution condition as inputs 0 and 1, found \(inputs.count) inputs")
        }
        for m in map.inputs { if let e = m.external, e >= inputs.count { throw OVIRError("port map input \(e) is not connected") } }
        var outs = [ValueInfo?](repeating: nil, count: outputCount)
        for m in map.outputs {
            guard let e = m.external else { continue }
            let b = body.outputs[m.bodyIndex]
            var shape = b.shape
            if let s = m.slicing, var dims = shape.dims {
                let axis = s.axis < 0 ? s.axis + dims.count : s.axis
                guard axis >= 0 && axis < dims.count else { throw OVIRError("port map output axis \(s.axis) is out of range for \(shape)") }
                dims[axis] = .dynamic
                shape = PartialShape(dims)
            }
            if !shape.isStatic, e < declared.count, declared[e].isStatic { shape = declared[e] }
            outs[e] = ValueInfo(b.elementType, shape)
        }
        return try outs.enumerated().map { (k, v) in
            guard let v else { throw OVIRError("output \(k) is not produced by the body (no port map entry)") }
            return v
        }
    }

    /// Parts per sliced input, after checking they agree; nil when no input is sliced.
    private func slicedParts(_ inputs: [Tensor]) throws -> [(first: Int, count: Int)?] {
        try map.inputs.map { m in
            guard let s = m.slicing, let e = m.external else { return nil }
            let t = inputs[e], axis = s.axis < 0 ? s.axis + t.rank : s.axis
            guard axis >= 0 && axis < t.rank else { throw OVIRError("port map input axis \(s.axis) is out of range for \(t.shape)") }
            return try s.parts(ofDimension: t.shape[axis])
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        var bodyInputs = [Tensor?](repeating: nil, count: body.inputs.count)
        let parts = try slicedParts(inputs)
        var iterations = Int.max
        var condition = true
        if isLoop {
            let trip = inputs[0].count > 0 ? inputs[0].int64Value(at: 0) : -1
            if trip >= 0 { iterations = Int(trip) }
            condition = inputs[1].count > 0 && inputs[1].int64Value(at: 0) != 0
        }
        for p in parts { if let p { iterations = Swift.min(iterations, p.count) } }
        if iterations == Int.max && !isLoop { iterations = 1 }
        for m in map.inputs where m.slicing == nil {
            if let e = m.external { bodyInputs[m.bodyIndex] = inputs[e] }
        }
        let conditionResult = map.outputs.first { $0.purpose == "execution_condition" }?.bodyIndex
        let iterationParam = map.inputs.first { $0.purpose == "current_iteration" }?.bodyIndex
        var collected = [[Tensor]](repeating: [], count: map.outputs.count)
        var last = [Tensor?](repeating: nil, count: map.outputs.count)
        var i = 0
        while i < iterations && condition {
            for (k, m) in map.inputs.enumerated() {
                guard let s = m.slicing, let e = m.external, let p = parts[k] else { continue }
                let axis = s.axis < 0 ? s.axis + inputs[e].rank : s.axis
                bodyInputs[m.bodyIndex] = try ControlFlowOps.slice(inputs[e], axis: axis,
                                                                   offset: s.offset(ofPart: i, first: p.first), length: s.partSize)
            }
            if let iterationParam {
                let io = body.inputs[iterationParam]
                bodyInputs[iterationParam] = Tensor(doubles: [Double(i)], as: io.elementType, shape: io.shape.rank == 1 ? [1] : [])
            }
            let values = try bodyInputs.enumerated().map { (k, t) in
                guard let t else { throw OVIRError("body Parameter '\(body.inputs[k].name)' has no value (no port map input or back edge)") }
                return t
            }
            let outs = try model(for: values).infer(values)
            for (k, m) in map.outputs.enumerated() {
                if m.slicing != nil { collected[k].append(outs[m.bodyIndex]) } else { last[k] = outs[m.bodyIndex] }
            }
            for edge in map.backEdges { bodyInputs[edge.to] = outs[edge.from] }
            if let conditionResult { condition = outs[conditionResult].count > 0 && outs[conditionResult].int64Value(at: 0) != 0 }
            i += 1
        }
        outputs = try assemble(collected: collected, last: last, bodyInputs: bodyInputs)
    }

    /// The compiled body, or (when a value no longer fits a Parameter's declared shape, as when a
    /// carried value grows) the body recompiled with dynamic Parameter dims.
    private func model(for values: [Tensor]) throws -> CompiledModel {
        if let relaxedBody { return relaxedBody }
        if zip(body.inputs, values).allSatisfy({ $0.shape.accepts($1.shape) }) { return body }
        guard let g = bodyGraph?.copy() else { return body }
        for p in g.parameters where !p.outputs.isEmpty {
            guard let k = body.parameterNodes.firstIndex(where: { $0.id == p.id }) else { continue }
            p.outputs[0].shape = PartialShape([OVIR.Dimension](repeating: .dynamic, count: values[k].rank))
        }
        let relaxed = try CompiledModel(graph: g, options: body.options)
        relaxedBody = relaxed
        return relaxed
    }

    /// Node outputs from the collected iteration values.
    private func assemble(collected: [[Tensor]], last: [Tensor?], bodyInputs: [Tensor?]) throws -> [Tensor] {
        var outs = [Tensor?](repeating: nil, count: outputCount)
        for (k, m) in map.outputs.enumerated() {
            guard let e = m.external else { continue }
            if let s = m.slicing {
                let parts = s.stride < 0 ? Array(collected[k].reversed()) : collected[k]
                if parts.isEmpty {
                    outs[e] = try emptyOutput(m, axis: s.axis)
                } else {
                    let axis = s.axis < 0 ? s.axis + parts[0].rank : s.axis
                    outs[e] = try ControlFlowOps.concat(parts, axis: axis)
                }
            } else if let v = last[k] {
                outs[e] = v
            } else if let edge = map.backEdges.first(where: { $0.from == m.bodyIndex }), let v = bodyInputs[edge.to] {
                outs[e] = v   // no iteration ran: the carried value is still the initial one
            } else {
                outs[e] = try emptyOutput(m, axis: nil)
            }
        }
        return try outs.enumerated().map { (k, t) in
            guard let t else { throw OVIRError("output \(k) has no port map entry") }
            return t
        }
    }

    /// The value of an output when no iteration ran: zero parts along the concat axis.
    private func emptyOutput(_ m: PortMapping, axis: Int?) throws -> Tensor {
        let b = body.outputs[m.bodyIndex]
        guard var dims = b.shape.dims?.map({ $0.staticValue ?? 0 }) else {
            throw OVIRError("the loop ran no iteration and body Result \(m.bodyIndex) has a dynamic rank")
        }
        if let axis { dims[axis < 0 ? axis + dims.count : axis] = 0 }
        return Tensor(zeros: b.elementType, shape: dims)
    }
}
