import OVIR

/// Quantizers that must share one range (POT `find_fqs_to_unify`): the activation quantizers
/// connected through quantize-agnostic ops to a Concat whose output goes on to a Convolution/MatMul
/// (and not to a per-channel-quantized depthwise convolution).
struct ScaleUnification {
    let graph: PGraph
    let hardware: HardwareConfig

    struct Group {
        var bridges: [PNode]
        var fqs: [PNode]
        var hasConcat: Bool
        var unclearLayout: Bool
        var broadcasting: Bool
    }

    var unifiedTypes: Set<String> {
        Set(hardware.operations.filter { $0.unifiedScales == .all }.map(\.type))
    }
    static let unifyOutputs: Set<String> = ["ConvolutionBackpropData", "Convolution", "MatMul"]

    func agnostic(_ n: PNode) -> Bool { PlacementMarking.agnosticTypes.contains(n.type) }

    /// POT `get_node_data_type` + `is_data_type_quantizable`: the type read on input 0 is not integer/bool.
    func quantizableType(_ n: PNode) -> Bool {
        guard n.type != "Const", let t = n.inputType(0) else { return true }
        return !(t == .i32 || t == .i64 || t == .boolean)
    }

    func isUnifiedOp(_ n: PNode) -> Bool {
        unifiedTypes.contains(n.type) && (n.type != "Concat" || concatCondition(n))
    }

    /// POT `_is_concat_unify_condition`, including its habit of keeping the answer for the last node
    /// taken off its stack.
    func concatCondition(_ node: PNode) -> Bool {
        let isBridgeInput: (PNode) -> Bool = { $0.type == "FakeQuantize" || $0.type == "Concat" }
        let (_, found) = SkipAscentMap.traverse(node, move: { $0.inputNodes.filter { $0.type != "Const" } },
                                                stop: isBridgeInput, criteria: [isBridgeInput])
        if found[0].isEmpty { return false }
        var res = false
        var stack = [node]
        while let x = stack.popLast() {
            if agnostic(x) { stack += x.allConsumers; res = false }
            else if Self.unifyOutputs.contains(x.type) { stack.removeAll(); res = true }
            else { res = false }
        }
        if res {
            let perChannel = Set(hardware.operations.filter {
                ($0.activations?.isEmpty == false) && $0.activations!.allSatisfy { $0.granularity == .perChannel }
            }.map(\.type))
            stack = [node]
            while let x = stack.popLast() {
                if agnostic(x) { stack += x.allConsumers; res = true }
                else if perChannel.contains(FakeQuantizeInsertion.hardwareType(x)) { stack.removeAll(); res = false }
                else { res = true }
            }
        }
        return res
    }

    func groups() -> [Group] {
        guard !unifiedTypes.isEmpty else { return [] }
        var visited: Set<ObjectIdentifier> = []
        var out: [Group] = []
        for fq in graph.live where fq.type == "FakeQuantize" && !visited.contains(ObjectIdentifier(fq)) && fq.input(0)?.type != "Const" {
            var bridges: [PNode] = [], fqs: [PNode] = []
            var stack = [fq]
            while let node = stack.popLast() {
                visited.insert(ObjectIdentifier(node))
                if isUnifiedOp(node) || node.type == "Concat" {
                    if !node.inputNodes.contains(where: { $0.type == "Const" }) { bridges.append(node) }
                } else if node.type == "FakeQuantize" && node.input(0)?.type != "Const" {
                    fqs.append(node)
                }
                if node.type == "FakeQuantize" || agnostic(node) {
                    for c in node.allConsumers where !visited.contains(ObjectIdentifier(c)) && quantizableType(c)
                        && (agnostic(c) || isUnifiedOp(c)) { stack.append(c) }
                }
                if node.type != "FakeQuantize" {
                    for p in node.inputNodes where !visited.contains(ObjectIdentifier(p)) && quantizableType(p)
                        && (p.type == "FakeQuantize" || agnostic(p)) { stack.append(p) }
                }
            }
            guard !bridges.isEmpty, bridges.contains(where: isUnifiedOp), fqs.count > 1 else { continue }
            out.append(makeGroup(bridges: bridges, fqs: fqs))
        }
        return out.sorted { PlacementNames.less($0.fqs[0].name, $1.fqs[0].name) }
    }

    private func makeGroup(bridges: [PNode], fqs: [PNode]) -> Group {
        // POT `_test_shapes`: shapes disagreeing in dims 0 or 1 (or rank 1) mean an unclear layout.
        func differ(_ shapes: [[Int]?]) -> Bool {
            guard let first = shapes.first ?? nil, first.count > 1 else { return true }
            return shapes.contains { s in
                guard let s, s.count > 1 else { return true }
                return s[0] != first[0] || s[1] != first[1]
            }
        }
        let sortedFQs = PlacementNames.sorted(fqs)
        return Group(bridges: PlacementNames.sorted(bridges), fqs: sortedFQs,
                     hasConcat: bridges.contains { $0.type == "Concat" },
                     unclearLayout: differ(sortedFQs.map { $0.inputShape(0) }),
                     broadcasting: differ(bridges.flatMap { b in b.inputs.indices.map { b.inputShape($0) } }))
    }
}

/// Which weight quantizers POT rescales on CPU/ANY (POT `fake_quantize.set_rescaling_factors`):
/// those of the first convolutions after the inputs, and those of convolutions ActivationChannelAlignment
/// paired with a producer convolution (`channel_alignment/algorithm.py`, `find_node_pairs`).
enum SaturationFix {
    /// Convolutions ActivationChannelAlignment marks `need_rescale` (run before quantizers exist).
    static func alignedConvolutions(_ graph: PGraph) -> Set<ObjectIdentifier> {
        var out: Set<ObjectIdentifier> = []
        for conv in PlacementNames.sorted(graph.live.filter { $0.type == "Convolution" }) {
            guard conv.group == 1, let attrs = conv.origin?.attributes,
                  let pb = try? attrs.ints("pads_begin"), let pe = try? attrs.ints("pads_end"),
                  let st = try? attrs.ints("strides"), let dl = try? attrs.ints("dilations"),
                  (pb + pe).allSatisfy({ $0 == 0 }), (st + dl).allSatisfy({ $0 == 1 }) else { continue }
            guard let src = conv.inputs[0], src.node.outputs[src.index].count == 1 else { continue }
            var producer = src.node
            if producer.type == "Add", let p = producer.input(0) { producer = p }
            guard producer.type == "Convolution" || producer.type == "MatMul" else { continue }
            guard producer.input(1)?.type == "Const", conv.input(1)?.type == "Const" else { continue }
            if let bias = graph.biasAdd(of: producer), !bias.inputNodes.contains(where: { $0.type == "Const" }) { continue }
            out.insert(ObjectIdentifier(conv))
        }
        return out
    }

    /// POT `get_first_convolutions`: breadth-first from the Parameters, stopping at Convolutions.
    static func firstConvolutions(_ graph: PGraph) -> [PNode] {
        var layer = graph.live.filter { $0.type == "Parameter" }
        var out: [PNode] = []
        var seen: Set<ObjectIdentifier> = []
        while !layer.isEmpty {
            out += layer.filter { $0.type == "Convolution" }
            var next: [PNode] = []
            for n in layer where n.type != "Convolution" {
                for c in n.allConsumers where seen.insert(ObjectIdentifier(c)).inserted { next.append(c) }
            }
            layer = next
        }
        return out
    }
}
