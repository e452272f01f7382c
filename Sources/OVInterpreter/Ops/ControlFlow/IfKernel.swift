/// If-8: runs `then_body` when input 0 (a boolean scalar) is true, else `else_body`. Inputs 1…
/// feed each body's Parameters through `then_port_map`/`else_port_map`; the chosen body's Results
/// become the outputs.
final class IfKernel: Kernel {
    let thenBody: CompiledModel
    let elseBody: CompiledModel
    let thenMap: BodyPortMap
    let elseMap: BodyPortMap
    let outputCount: Int
    var allocatesOutputs: Bool { true }

    init(node: Node) throws {
        thenBody = try ControlFlowOps.compileBody(node, "then_body")
        elseBody = try ControlFlowOps.compileBody(node, "else_body")
        thenMap = try BodyPortMap(node: node, body: thenBody, portMap: "then_port_map")
        elseMap = try BodyPortMap(node: node, body: elseBody, portMap: "else_port_map")
        outputCount = node.outputs.count
        for (name, map) in [("then", thenMap), ("else", elseMap)] {
            let produced = Set(map.outputs.compactMap(\.external))
            if let missing = (0..<outputCount).first(where: { !produced.contains($0) }) {
                throw OVIRError("<\(name)_port_map> does not produce output \(missing)")
            }
        }
    }

    private func branchInfos(_ body: CompiledModel, _ map: BodyPortMap) -> [ValueInfo] {
        (0..<outputCount).map { k in
            let r = map.outputs.first { $0.external == k }!.bodyIndex
            return ValueInfo(body.outputs[r].elementType, body.outputs[r].shape)
        }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard let cond = inputs.first else { throw OVIRError("If expects a condition as input 0") }
        if let v = cond.value, v.count > 0 {
            return v.int64Value(at: 0) != 0 ? branchInfos(thenBody, thenMap) : branchInfos(elseBody, elseMap)
        }
        return zip(branchInfos(thenBody, thenMap), branchInfos(elseBody, elseMap)).map { t, e in
            guard let a = t.shape.dims, let b = e.shape.dims, a.count == b.count else { return ValueInfo(t.elementType, .dynamicRank) }
            return ValueInfo(t.elementType, PartialShape(zip(a, b).map { $0 == $1 ? $0 : .dynamic }))
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let taken = inputs[0].count > 0 && inputs[0].int64Value(at: 0) != 0
        let (body, map) = taken ? (thenBody, thenMap) : (elseBody, elseMap)
        var bodyInputs = [Tensor?](repeating: nil, count: body.inputs.count)
        for m in map.inputs {
            guard let e = m.external, e < inputs.count else { continue }
            bodyInputs[m.bodyIndex] = inputs[e]
        }
        let outs = try body.infer(try bodyInputs.enumerated().map { (k, t) in
            guard let t else { throw OVIRError("\(taken ? "then" : "else") body Parameter '\(body.inputs[k].name)' has no port map input") }
            return t
        })
        outputs = (0..<outputCount).map { k in outs[map.outputs.first { $0.external == k }!.bodyIndex] }
    }
}
