/// Choosing each quantizer's scheme (POT `algorithms/quantization/fake_quantize_configuration.py`):
/// a quantizer must suit every quantizable op it feeds (looking through quantize-agnostic ops), so the
/// alternatives of those ops are intersected; the preset then picks the first (performance) or last
/// (mixed, accuracy) survivor for activations, and the first (accuracy: last) for weights.
struct QuantizerConfiguration {
    let graph: PGraph
    let hardware: HardwareConfig
    let config: PlacementConfig

    /// POT `_get_node_valuable_descendant`: the quantizable ops reached from `fq` through agnostic ops,
    /// with their hardware types (duplicates kept, as POT keeps them).
    func descendants(_ fq: PNode) -> [(PNode, String)] {
        var out: [(PNode, String)] = []
        var queue = [fq]
        while !queue.isEmpty {
            let current = queue.removeFirst()
            let children = current.allConsumers
            for child in PlacementNames.sorted(children) {
                if PlacementMarking.agnosticTypes.contains(child.type) {
                    queue.append(child)
                } else {
                    out.append((child, FakeQuantizeInsertion.hardwareType(child)))
                }
                if current.type == "Split", child.type == "Concat", Set(children.map(\.name)).count == 1 { break }
            }
        }
        return out
    }

    /// POT `intersect_configs`: the alternatives of `left` that `right` also offers (same mode and
    /// granularity; the narrower bit width wins unless one side has the primary width); when none
    /// match, both sides are first widened with the symmetric / per-tensor variants they imply.
    static func intersect(_ left: [QuantizationScheme], _ right: [QuantizationScheme], primary: Int?) -> [QuantizationScheme] {
        func inner(_ l: [QuantizationScheme], _ r: [QuantizationScheme]) -> [QuantizationScheme] {
            var result: [QuantizationScheme] = []
            var offset = 0
            for a in l {
                for (idx, b) in r[min(offset, r.count)...].enumerated() where a.sameMain(b) {
                    if let primary, a.bits == primary { result.append(a) }
                    else if let primary, b.bits == primary { result.append(b) }
                    else { result.append(a.bits <= b.bits ? a : b) }
                    offset += idx
                    break
                }
            }
            return result
        }
        func widen(_ c: [QuantizationScheme]) -> [QuantizationScheme] {
            var out: [QuantizationScheme] = []
            func front(_ s: QuantizationScheme) { if !out.contains(s) { out.insert(s, at: 0) } }
            for item in c.reversed() {
                front(item)
                if item.granularity == .perChannel { var e = item; e.granularity = .perTensor; front(e) }
                if item.mode == .asymmetric { var e = item; e.mode = .symmetric; front(e) }
                if item.granularity == .perChannel && item.mode == .asymmetric {
                    var e = item; e.mode = .symmetric; e.granularity = .perTensor; front(e)
                }
            }
            return out
        }
        let res = inner(left, right)
        return res.isEmpty ? inner(widen(left), widen(right)) : res
    }

    /// The alternatives every quantizable descendant accepts (POT `read_all_fake_quantize_configurations`
    /// followed by the per-quantizer intersection of `get_configurations_by_preset`).
    func alternatives(_ fq: PNode) throws -> [QuantizationScheme] {
        // As POT: an empty intersection restarts from the next layer's alternatives.
        var acc: [QuantizationScheme] = []
        for (_, type) in descendants(fq) {
            guard let schemes = hardware.operation(type)?.schemes(fq.fqKind), !schemes.isEmpty else { continue }
            acc = acc.isEmpty ? schemes : Self.intersect(acc, schemes, primary: hardware.primaryBitwidth)
        }
        guard !acc.isEmpty else {
            throw PlacementError("FakeQuantize '\(fq.name)' has no quantization scheme that suits every layer it feeds "
                                 + "(\(descendants(fq).map { $0.0.name }.joined(separator: ", ")))")
        }
        return acc
    }

    func pick(_ alternatives: [QuantizationScheme], kind: QuantizerKind) -> QuantizationScheme {
        switch (kind, config.preset) {
        case (.weights, .accuracy), (.activations, .mixed), (.activations, .accuracy): return alternatives[alternatives.count - 1]
        default: return alternatives[0]
        }
    }

    /// The scheme of every live quantizer, keyed by node identity, plus the unification groups.
    func schemes() throws -> (schemes: [ObjectIdentifier: QuantizationScheme], groups: [[PNode]]) {
        let fqs = graph.live.filter { $0.type == "FakeQuantize" }
        let unify = ScaleUnification(graph: graph, hardware: hardware).groups()
        let grouped = Set(unify.flatMap { $0.fqs }.map(ObjectIdentifier.init))
        var pending: [ObjectIdentifier: [QuantizationScheme]] = [:]
        var out: [ObjectIdentifier: QuantizationScheme] = [:]
        for fq in fqs {
            let alts = try alternatives(fq)
            if fq.fqKind == .activations && grouped.contains(ObjectIdentifier(fq)) {
                pending[ObjectIdentifier(fq)] = alts
            } else {
                out[ObjectIdentifier(fq)] = pick(alts, kind: fq.fqKind)
            }
        }
        for group in unify {
            let perTensorOnly = group.hasConcat || group.unclearLayout || group.broadcasting
            var acc: [QuantizationScheme] = []
            for fq in group.fqs {
                var alts = pending[ObjectIdentifier(fq)] ?? []
                if perTensorOnly { alts = alts.filter { $0.granularity == .perTensor } }
                acc = acc.isEmpty ? alts : Self.intersect(acc, alts, primary: hardware.primaryBitwidth)
            }
            guard !acc.isEmpty else {
                throw PlacementError("FakeQuantize nodes \(group.fqs.map(\.name)) cannot be unified")
            }
            for fq in group.fqs { out[ObjectIdentifier(fq)] = pick(acc, kind: .activations) }
        }
        if config.modelType == .transformer { applyTransformerRule(fqs, &out) }
        return (out, unify.map(\.fqs))
    }

    /// POT `change_configurations_by_model_type_transformer`: an activation quantizer feeding a MatMul
    /// of two activations (the last such MatMul among its descendants decides) is symmetric.
    func applyTransformerRule(_ fqs: [PNode], _ schemes: inout [ObjectIdentifier: QuantizationScheme]) {
        for fq in fqs where fq.fqKind == .activations {
            guard let matmul = descendants(fq).last(where: { $0.1 == "MatMul" })?.0 else { continue }
            var w = matmul.input(1)
            if w?.type == "FakeQuantize" { w = w?.input(0) }
            if w?.type != "Const" { schemes[ObjectIdentifier(fq)]?.mode = .symmetric }
        }
    }
}
