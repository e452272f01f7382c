import OVIR

/// Where POT's DefaultQuantization puts FakeQuantize nodes, and how each is configured.
///
/// The steps replay POT 2023.3 in order (see docs/POT_PLACEMENT.md):
/// 1. load: POT's view of the IR (``PGraph``: grouped convolutions as Convolution, constant
///    sub-graphs folded, fake Results on unused MaxPool outputs);
/// 2. model preprocessing (`graph/graph_utils.py` `model_preprocessing`): MatMul constant weights
///    transposed, ShapeOf sub-graphs skipped, zero biases for bias-less convolutions;
/// 3. ignored patterns and scope (``PlacementMarking``);
/// 4. insertion at quantizable ops, propagation up through agnostic ops, merging, removal of
///    integer quantizers (``FakeQuantizeInsertion``, ``FakeQuantizePropagation``);
/// 5. scheme choice, unification and levels (``QuantizerConfiguration``), saturation rescaling.
package enum QuantizerPlacement {
    /// The quantizers POT would insert into `graph`.
    package static func plan(graph: Graph, config: PlacementConfig) throws -> [PlannedQuantizer] {
        try makePlan(graph: graph, config: config).quantizers
    }

    /// The quantizers plus the preprocessing rewrites they rely on.
    package static func makePlan(graph: Graph, config: PlacementConfig) throws -> PlacementPlan {
        let hardware = HardwareConfig.forDevice(config.targetDevice)
        let g = try PGraph.load(graph)
        var ids = PotNodeIDs(loaded: g, graph: graph, uncounted: config.uncountedConstants)

        let transposedOps = g.live.filter { n in
            n.type == "MatMul" && n.input(1)?.type == "Const" && (n.inputShape(1)?.count ?? 0) > 1
                && !((try? n.origin?.attributes.bool("transpose_b", default: false)) ?? false)
        }
        // POT transposes folded weights too; SwiftPOT only rewrites plain Consts (and Const → Convert),
        // and quantizes the others per output channel along their last axis instead.
        let directlyTransposed = transposedOps.filter { n in
            guard let w = n.input(1)?.origin else { return false }
            return w.type == "Const" || (w.type == "Convert" && w.inputs.first?.source?.node.type == "Const")
        }
        for n in transposedOps where !directlyTransposed.contains(where: { $0 === n }) {
            if let w = n.input(1) { w.lastAxisChannels = true }
        }
        for n in directlyTransposed {
            // POT stores these weights transposed; per-channel ranges follow the new layout.
            guard let w = n.inputs[1], var s = w.node.outShapes[w.index] else { continue }
            s.swapAt(s.count - 1, s.count - 2)
            w.node.outShapes[w.index] = s
        }
        let transposed = directlyTransposed.map(\.name)
        g.markShapeSubgraphs()
        let zeroBiases = g.insertZeroBiases()
        ids.preprocessed(zeroBiases: zeroBiases.count, graph: g)
        let aligned = config.activationChannelAlignment ? SaturationFix.alignedConvolutions(g) : []

        PlacementMarking.markIgnoredBlocks(g, device: config.targetDevice)
        var types = config.ignoredTypes
        if config.modelType == .transformer { types += PlacementMarking.transformerIgnoredTypes }
        let scope = PlacementMarking.expandedScope(g, scope: config.ignoredScope, types: Set(types))

        let insertion = FakeQuantizeInsertion(graph: g, hardware: hardware, ignoredScope: scope, ignoredTypes: Set(types))
        ids.stage(g)
        insertion.insertAll()
        ids.stage(g)      // after FakeQuantize insertion
        FakeQuantizePropagation(insertion: insertion).run()
        ids.stage(g)      // after propagation
        insertion.mergeDuplicates()
        ids.stage(g)
        insertion.removeIntegerQuantizers()
        for _ in 0..<3 { ids.stage(g) }   // integer removal, name swap, GPU/SPR pass

        let configuration = QuantizerConfiguration(graph: g, hardware: hardware, config: config)
        let (schemes, groups) = try configuration.schemes()
        let rescaled = rescaledQuantizers(g, config: config, aligned: aligned)
        var groupOf: [ObjectIdentifier: Int] = [:]
        for (i, group) in groups.enumerated() { for fq in group { groupOf[ObjectIdentifier(fq)] = i } }

        var out: [PlannedQuantizer] = []
        for fq in g.live where fq.type == "FakeQuantize" {
            guard let src = fq.inputs[0], let scheme = schemes[ObjectIdentifier(fq)] else { continue }
            let consumers = fq.outputs[0].map { EdgeRef($0.node.name, $0.index) }.sorted()
            let (axis, shape) = rangeLayout(fq, scheme: scheme)
            out.append(PlannedQuantizer(
                name: resultSwappedName(fq) ?? fq.name, kind: fq.fqKind,
                producer: OutputRefName(src.node.name, src.index), consumers: consumers,
                levels: scheme.levels(forWeights: fq.fqKind == .weights), scheme: scheme,
                channelAxis: axis, rangeShape: shape, unificationGroup: groupOf[ObjectIdentifier(fq)],
                saturationRescale: rescaled.contains(ObjectIdentifier(fq))))
        }
        var plan = PlacementPlan(quantizers: out, zeroBiasConvolutions: zeroBiases, transposedMatMulWeights: transposed)
        plan.groupWeightsReshapeNames = ids.groupWeightsReshapeNames(g)
        return plan
    }

    /// The per-channel axis and the shape POT gives the range constants (`broadcast_fq_values`).
    /// GroupConvolution weights are seen as `[groups*out, in, k…]`, as POT's convolution form has them.
    /// Per-tensor ranges are scalars when symmetric, but all-ones of the input's rank when asymmetric
    /// (POT's `fix_zero_filters_asymmetric` turns the scalar statistics into 1-element arrays).
    static func rangeLayout(_ fq: PNode, scheme: QuantizationScheme) -> (Int?, [Int]) {
        guard var shape = fq.inputShape(0) else { return (nil, []) }
        if fq.fqKind == .weights, let conv = fq.outputs[0].first?.node, conv.origin?.type == "GroupConvolution",
           let data = conv.inputShape(0), shape.count == data.count + 1 {
            shape = [shape[0] * shape[1]] + shape.dropFirst(2)
        }
        var bounds = Array(repeating: 1, count: shape.count)
        guard scheme.granularity == .perChannel, shape.count > 1 else {
            return (nil, scheme.mode == .asymmetric ? bounds : [])
        }
        if fq.fqKind == .weights {
            let s = shape
            let transposedOp = fq.outputs[0].first?.node.type == "ConvolutionBackpropData"
            let axis = fq.input(0)?.lastAxisChannels == true ? s.count - 1 : (transposedOp ? 1 : 0)
            bounds[axis] = s[axis]
            return (axis, bounds)
        }
        bounds[1] = shape[1]
        return (1, bounds)
    }

    /// POT `FakeQuantizeNameSwapper`: a quantizer feeding a Result takes its producer's name
    /// (POT also renames the producer `<name>/pre_fq_input`; SwiftPOT keeps layer names).
    static func resultSwappedName(_ fq: PNode) -> String? {
        guard fq.outputs[0].contains(where: { $0.node.type == "Result" }), let src = fq.inputs[0] else { return nil }
        let consumers = src.node.allConsumers
        if consumers.count > 1 && consumers.allSatisfy({ $0.type == "FakeQuantize" }) {
            return "\(src.node.name).\(src.index)"
        }
        return src.node.name
    }

    /// Weight quantizers of the first convolutions (and of aligned ones) on CPU/ANY.
    static func rescaledQuantizers(_ g: PGraph, config: PlacementConfig, aligned: Set<ObjectIdentifier>) -> Set<ObjectIdentifier> {
        guard config.targetDevice == .cpu || config.targetDevice == .any, config.saturationFix != .no,
              g.live.contains(where: { $0.type == "Convolution" }) else { return [] }
        let withWeights: Set<String> = ["Convolution", "ConvolutionBackpropData", "MatMul"]
        var convs = config.saturationFix == .all ? g.live.filter { withWeights.contains($0.type) } : SaturationFix.firstConvolutions(g)
        convs += g.live.filter { aligned.contains(ObjectIdentifier($0)) }
        var out: Set<ObjectIdentifier> = []
        for c in convs { if let w = c.input(1), w.type == "FakeQuantize" { out.insert(ObjectIdentifier(w)) } }
        return out
    }
}
