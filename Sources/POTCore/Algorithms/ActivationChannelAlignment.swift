import OVIR

/// POT's ActivationChannelAlignment (`algorithms/quantization/channel_alignment/algorithm.py`): for
/// a convolution (or MatMul) `in` → [bias Add] → 1×1-like Convolution `out` (groups 1, no padding,
/// stride and dilation 1, `in`'s output read only by `out`), the per-channel activation ranges
/// between them are centred (biases shifted) and equalised (scales moved from `in`'s weights into
/// `out`'s), using the medians of per-sample 1e-4 / 1-1e-4 quantiles collected on the FP32 model.
package struct ActivationChannelAlignment {
    package struct Pair {
        package let nodeIn: String
        package let weightIn: Node
        package let biasIn: Node?
        package let nodeOut: String
        package let weightOut: Node
        package let biasOut: Node?
        /// Where the statistics are collected: `in`'s bias Add, or `in` itself.
        package let point: StatisticPoint
    }

    /// POT's `channel_range_min` / `channel_range_max` (quantiles 1e-4 and 1-1e-4 per channel), as one statistic.
    static let rangeName = "channel_range"

    package init() {}

    /// The aligned pairs, in POT's order (consumers sorted by name).
    package func pairs(_ g: Graph) -> [Pair] {
        var out: [Pair] = []
        let convs = g.nodes.filter { $0.type == "Convolution" }
            .sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        for nodeOut in convs where Self.alignable(nodeOut) {
            guard let src = nodeOut.inputs.first?.source else { continue }
            var nodeIn = src.node
            if nodeIn.type == "Add", let s = nodeIn.inputs.first?.source { nodeIn = s.node }
            // the producer port feeds only this convolution; the producer is a convolution or MatMul
            guard g.consumers(of: src).count == 1,
                  ["Convolution", "GroupConvolution", "MatMul"].contains(nodeIn.type),
                  let wIn = Self.constWeights(nodeIn), let wOut = Self.constWeights(nodeOut) else { continue }
            let bIn = Self.bias(g, nodeIn)
            if let b = bIn, b.type != "Const" { continue }
            let bOut = Self.bias(g, nodeOut).flatMap { $0.type == "Const" ? $0 : nil }
            var point = StatisticPoint(node: nodeIn.name, port: 0)
            if bIn != nil, let add = g.consumers(of: nodeIn.output(0)).first?.node { point = StatisticPoint(node: add.name, port: 0) }
            out.append(Pair(nodeIn: nodeIn.name, weightIn: wIn, biasIn: bIn, nodeOut: nodeOut.name, weightOut: wOut,
                            biasOut: bOut, point: point))
        }
        return out
    }

    /// POT `check_conv_node`: groups 1, zero pads, unit strides and dilations.
    static func alignable(_ n: Node) -> Bool {
        let a = n.attributes
        func allEqual(_ key: String, _ v: Int) -> Bool {
            guard let xs = try? a.ints(key) else { return false }
            return xs.allSatisfy { $0 == v }
        }
        let autoPad = a["auto_pad"] ?? "explicit"
        let padsZero = allEqual("pads_begin", 0) && allEqual("pads_end", 0)
        let kernelIsPoint = (n.inputs.count > 1 ? n.inputs[1].source?.port.shape.staticShape : nil).map { $0.dropFirst(2).allSatisfy { $0 == 1 } } ?? false
        guard padsZero || autoPad == "valid" || ((autoPad == "same_upper" || autoPad == "same_lower") && kernelIsPoint) else { return false }
        return allEqual("strides", 1) && allEqual("dilations", 1)
    }

    /// The Const on input 1 (POT `get_weights_for_node`, which must be a Const).
    static func constWeights(_ n: Node) -> Node? {
        guard n.inputs.count > 1, let w = n.inputs[1].source?.node, w.type == "Const", w.constant != nil else { return nil }
        return w
    }

    /// POT `get_bias_for_node`: the only consumer is an Add with a Const input; that Const.
    static func bias(_ g: Graph, _ n: Node) -> Node? {
        let c = g.consumers(of: n.output(0))
        guard c.count == 1, c[0].node.type == "Add", c[0].node.inputs.count > 1 else { return nil }
        for inp in c[0].node.inputs { if let s = inp.source?.node, s.type == "Const" { return s } }
        return nil
    }

    /// A pair where the exactness guard deviated from POT (see `guarded`).
    package struct GuardNote: Equatable, Sendable {
        package let nodeIn: String
        package let nodeOut: String
        /// True when the pair was left unaligned, false when it was aligned on private constants.
        package let skipped: Bool
        package let reason: String
    }

    /// SwiftPOT's exactness guard, a deliberate deviation from POT (docs/POT_ALGORITHMS.md).
    ///
    /// POT's alignment is meant to leave the FP32 model's function unchanged: `align_means` subtracts
    /// m from the producer's bias and adds `W_out·m` to the consumer's (exact for an unpadded
    /// convolution), `align_scales` divides the producer's output channel c by f_c and multiplies the
    /// consumer's input channel c by f_c. That holds only if every constant it rewrites is read by the
    /// pair alone and the producer's output reaches the consumer only through its bias Add. POT
    /// rewrites the Const nodes in place, so when a bias Const is shared by several Adds
    /// (palm_detection_lite: 4 zero-bias Consts read by the 23 aligned Adds) every pair's shift and
    /// scale lands on all the other readers too: the FP32 model changes (its outputs' cosine to the
    /// original drops to 0.62 before any quantization) and the activation ranges explode.
    ///
    /// Here a pair whose rewritten constants are shared gets private copies of them (the alignment POT
    /// intends, exact); the copies' names are returned so that placement can leave them out of POT's
    /// node-id counting. A producer whose output has other readers, or an Add between that is not a
    /// constant bias (a residual sum), cannot be made exact: the pair is skipped. Where POT's in-place
    /// rewrite is exact (face_landmark: all 20 pairs) nothing changes.
    package func guarded(_ g: Graph, _ pairs: [Pair]) -> (pairs: [Pair], notes: [GuardNote], copies: [String]) {
        var readers: [ObjectIdentifier: Int] = [:]
        for n in g.nodes { for i in n.inputs { if let s = i.source?.node, s.type == "Const" { readers[ObjectIdentifier(s), default: 0] += 1 } } }
        var kept: [Pair] = [], notes: [GuardNote] = [], copies: [String] = []
        for p in pairs {
            guard let nodeIn = g.node(named: p.nodeIn), let nodeOut = g.node(named: p.nodeOut),
                  let src = nodeOut.inputs.first?.source else { continue }
            let between = src.node === nodeIn ? nil : src.node
            let inReaders = g.consumers(of: nodeIn.output(0)).count
            if inReaders != 1 {
                notes.append(GuardNote(nodeIn: p.nodeIn, nodeOut: p.nodeOut, skipped: true,
                                       reason: "the output of '\(p.nodeIn)' has \(inReaders) readers, which rescaling it would change"))
                continue
            }
            if let add = between, add.inputs.contains(where: { $0.source?.node !== nodeIn && $0.source?.node.type != "Const" }) {
                notes.append(GuardNote(nodeIn: p.nodeIn, nodeOut: p.nodeOut, skipped: true,
                                       reason: "'\(add.name)' adds a computed tensor (not a bias); rescaling one operand changes the sum"))
                continue
            }
            // the constants this pair rewrites, each with the layer that reads it
            var rewritten: [(const: Node, reader: Node)] = [(p.weightIn, nodeIn), (p.weightOut, nodeOut)]
            if let b = p.biasIn, let add = between { rewritten.append((b, add)) }
            if p.biasIn != nil, let b = p.biasOut, let add = g.consumers(of: nodeOut.output(0)).first?.node {
                rewritten.append((b, add))
            }
            let shared = rewritten.filter { (readers[ObjectIdentifier($0.const)] ?? 0) > 1 }
            if shared.isEmpty {
                kept.append(p)
                continue
            }
            var replaced: [ObjectIdentifier: Node] = [:]
            for s in shared where g.consumers(of: s.const.output(0)).count > 1 {
                let c = Self.privateCopy(g, s.const, for: s.reader)
                replaced[ObjectIdentifier(s.const)] = c
                copies.append(c.name)
            }
            func pick(_ n: Node) -> Node { replaced[ObjectIdentifier(n)] ?? n }
            kept.append(Pair(nodeIn: p.nodeIn, weightIn: pick(p.weightIn), biasIn: p.biasIn.map(pick), nodeOut: p.nodeOut,
                             weightOut: pick(p.weightOut), biasOut: p.biasOut.map(pick), point: p.point))
            let what = shared.map { "'\($0.const.name)' (read by \(readers[ObjectIdentifier($0.const)] ?? 0) layers)" }.joined(separator: ", ")
            notes.append(GuardNote(nodeIn: p.nodeIn, nodeOut: p.nodeOut, skipped: false,
                                   reason: "POT rewrites the shared constant \(what) in place for every reader; aligned on a private copy"))
        }
        return (kept, notes, copies)
    }

    /// A copy of Const `c` read by `reader` only (the other readers keep `c`).
    static func privateCopy(_ g: Graph, _ c: Node, for reader: Node) -> Node {
        var name = "\(c.name)/\(reader.name)"
        while g.node(named: name) != nil { name += "_" }
        let copy = Node(id: g.nextID(), name: name, type: "Const", version: c.version, attributes: c.attributes,
                        outputs: c.outputs.map { OutputPort(portID: $0.portID, elementType: $0.elementType, shape: $0.shape) },
                        constant: c.constant)
        g.add(copy)
        for i in reader.inputs.indices where reader.inputs[i].source?.node === c {
            reader.inputs[i].source = OutputRef(copy, 0)
        }
        return copy
    }

    package func layout(_ pairs: [Pair]) -> StatsLayout {
        var layout: StatsLayout = [:]
        for p in pairs {
            layout[p.point] = [Self.rangeName: ChannelQuantiles.statistic(q: 1e-4)]
        }
        return layout
    }

    /// Aligns every pair in order (POT `align_means`, then `align_scales`).
    package func apply(_ pairs: [Pair], stats: [StatisticPoint: [String: [Tensor]]]) throws {
        for p in pairs {
            guard let range = stats[p.point]?[Self.rangeName] else {
                throw OVIRError("channel alignment of '\(p.nodeIn)' → '\(p.nodeOut)': statistics were not collected")
            }
            let both = try Aggregation.aggregate(range, with: .median).values
            try align(p, min: Array(both[..<(both.count / 2)]), max: Array(both[(both.count / 2)...]))
        }
    }

    /// One pair from the medians of its channel quantiles.
    package func align(_ p: Pair, min amin: [Double], max amax: [Double]) throws {
        let scale = zip(amax, amin).map { $0 - $1 }, mean = zip(amax, amin).map { ($0 + $1) * 0.5 }
        try alignMeans(p, mean)
        try alignScales(p, scale)
    }

    func alignMeans(_ p: Pair, _ mean: [Double]) throws {
        guard let bIn = p.biasIn, let bOut = p.biasOut, let b = bIn.constant, b.count == mean.count,
              let w = p.weightOut.constant, let bo = bOut.constant else { return }
        bIn.constant = Tensor(doubles: zip(b.doubleValues(), mean).map { $0 - $1 }, as: b.elementType, shape: b.shape)
        let o = w.shape[0], i = w.shape.count > 1 ? w.shape[1] : 1
        guard i == mean.count, bo.count == o else { return }
        let v = w.doubleValues(), inner = w.count / Swift.max(o * i, 1)
        var shift = [Double](repeating: 0, count: o)
        for oc in 0..<o {
            for ic in 0..<i {
                var s = 0.0
                for k in 0..<inner { s += v[(oc * i + ic) * inner + k] }
                shift[oc] += s * mean[ic]
            }
        }
        bOut.constant = Tensor(doubles: zip(bo.doubleValues(), shift).map { $0 + $1 }, as: bo.elementType, shape: bo.shape)
    }

    func alignScales(_ p: Pair, _ scale: [Double]) throws {
        guard scale.contains(where: { $0 > 0 }) else { return }
        let median = Aggregation.median(scale.filter { $0 > 0 })
        let factor = scale.map { s in s <= 0 ? 1 : Swift.min(Swift.max(s / median, 1e-2), 1e2) }
        guard let wIn = p.weightIn.constant, let wOut = p.weightOut.constant else { return }
        // the producer's output channels lead its weights (grouped weights [G, O/G, …] flatten the same way)
        let outChannels = p.weightIn.constant.map { t in t.rank >= 5 ? t.shape[0] * t.shape[1] : t.shape[0] } ?? 0
        guard outChannels == factor.count, wOut.rank >= 2, wOut.shape[1] == factor.count else { return }
        let chunk = wIn.count / outChannels
        p.weightIn.constant = Tensor(doubles: wIn.doubleValues().enumerated().map { $0.element / factor[$0.offset / chunk] },
                                     as: wIn.elementType, shape: wIn.shape)
        if let bIn = p.biasIn, let b = bIn.constant, b.count == factor.count {
            bIn.constant = Tensor(doubles: zip(b.doubleValues(), factor).map { $0 / $1 }, as: b.elementType, shape: b.shape)
        }
        let i = wOut.shape[1], inner = wOut.count / Swift.max(wOut.shape[0] * i, 1)
        p.weightOut.constant = Tensor(doubles: wOut.doubleValues().enumerated().map { $0.element * factor[($0.offset / inner) % i] },
                                      as: wOut.elementType, shape: wOut.shape)
    }
}
