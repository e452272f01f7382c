import OVIR

/// An engine that knows its dataset size (POT's `len(engine.data_loader)`), for the subset size cap.
package protocol DatasetSizedEngine: Engine {
    var datasetSize: Int { get }
}

/// POT's MinMaxQuantization (`algorithms/quantization/minmax/algorithm.py`): FakeQuantize layers at
/// the places POT picks, with ranges from activation statistics collected by the engine and from
/// the constant weights.
package final class MinMaxQuantization: Algorithm {
    package let name = "MinMaxQuantization"
    package let params: QuantizationParams
    /// DefaultQuantization's channel alignment marks more convolutions for the saturation fix.
    var channelAlignment = false
    /// What the last run computed, for reports: quantizer name → (plan entry, constants).
    package private(set) var lastRanges: [(quantizer: PlannedQuantizer, ranges: [Tensor])] = []

    package init(params: QuantizationParams) { self.params = params }

    package convenience init(config: AlgorithmConfig) throws {
        self.init(params: try QuantizationParams(config.params, algorithm: config.name))
    }

    package func run(_ model: CompressedModel, engine: any Engine) throws -> CompressedModel {
        let out = model.copy()
        var plans: [PlacementPlan] = []
        for m in out.models {
            try validateIgnoredScope(m.graph)
            let plan = try QuantizerPlacement.makePlan(graph: m.graph, config: params.placementConfig(channelAlignment: channelAlignment))
            try PlanApplication.preprocess(m.graph, plan: plan)
            plans.append(plan)
        }
        let stats = try collectStatistics(out, plans: plans, engine: engine)
        lastRanges = []
        for (m, plan) in zip(out.models, plans) {
            try quantize(m.graph, plan: plan, stats: stats)
        }
        return out
    }

    /// An ignored-scope name that matches no layer is an error (POT ignores it silently).
    func validateIgnoredScope(_ g: Graph) throws {
        let names = g.nodes.map(\.name)
        let known = Set(names)
        for s in params.ignoredScope where !known.contains(s) {
            let hint = closestName(to: s, in: names).map { "; did you mean '\($0)'?" } ?? ""
            throw OVIRError("ignored scope: no layer named '\(s)' in model '\(g.name)'\(hint)")
        }
    }

    /// The activation statistics every quantizer needs, in one pass over the calibration subset.
    func collectStatistics(_ model: CompressedModel, plans: [PlacementPlan], engine: any Engine)
        throws -> [StatisticPoint: [String: [Tensor]]] {
        var layout: StatsLayout = [:]
        for plan in plans {
            for q in plan.quantizers where q.kind == .activations {
                let point = StatisticPoint(node: q.producer.node, port: q.producer.output)
                let e = params.estimator(for: q)
                for (isMax, b) in [(false, e.min), (true, e.max)] {
                    guard let b else { continue }
                    layout[point, default: [:]][b.statName(isMax: isMax)] = b.statistic(isMax: isMax)
                }
            }
        }
        guard !layout.isEmpty else { return [:] }
        try engine.setModel(model)
        let sampler = try calibrationSampler(engine)
        return try engine.predict(statsLayout: layout, sampler: sampler, metricPerSample: false, printProgress: false).statistics
    }

    package func calibrationSampler(_ engine: any Engine) throws -> BatchSampler {
        guard let sized = engine as? any DatasetSizedEngine else {
            throw OVIRError("\(name): the engine does not report its dataset size (conform it to DatasetSizedEngine)")
        }
        guard sized.datasetSize > 0 else { throw OVIRError("\(name): the calibration dataset is empty") }
        return BatchSampler(indices: params.subsetIndices(datasetSize: sized.datasetSize), batchSize: params.statBatchSize)
    }

    /// Ranges for every planned quantizer, then the FakeQuantize layers.
    func quantize(_ g: Graph, plan: PlacementPlan, stats: [StatisticPoint: [String: [Tensor]]]) throws {
        var ranges: [QuantizerRange] = []
        var ranks: [Int] = []
        for q in plan.quantizers {
            let e = params.estimator(for: q)
            let spec = RangeSpec(name: q.name, kind: q.kind, scheme: q.scheme, levels: q.levels, estimator: e,
                                 saturationRescale: q.saturationRescale)
            var minV: StatValue?, maxV: StatValue?
            if q.kind == .weights {
                let w = try weights(g, q)
                minV = try e.min.map { try WeightStatistics.compute(w, estimator: $0, isMax: false, channelAxis: q.channelAxis ?? 0) }
                maxV = try e.max.map { try WeightStatistics.compute(w, estimator: $0, isMax: true, channelAxis: q.channelAxis ?? 0) }
                ranks.append(w.rank)
            } else {
                let point = StatisticPoint(node: q.producer.node, port: q.producer.output)
                func agg(_ b: BorderEstimator?, _ isMax: Bool) throws -> StatValue? {
                    guard let b else { return nil }
                    guard let batches = stats[point]?[b.statName(isMax: isMax)] else {
                        throw OVIRError("quantizer '\(q.name)': no statistics were collected on \(point)")
                    }
                    return try Aggregation.aggregate(batches, with: b.aggregator ?? (isMax ? .max : .min))
                }
                minV = try agg(e.min, false)
                maxV = try agg(e.max, true)
                ranks.append(try activationRank(g, q))
            }
            do { ranges.append(try RangeComputation.range(spec, min: minV, max: maxV)) } catch {
                throw OVIRError("quantizer '\(q.name)': \(error)")
            }
        }
        // unify_fq_scales: one common range per group
        var groups: [Int: [Int]] = [:]
        for (i, q) in plan.quantizers.enumerated() { if let u = q.unificationGroup { groups[u, default: []].append(i) } }
        for (_, members) in groups.sorted(by: { $0.key < $1.key }) {
            for (i, r) in zip(members, RangeFormulas.unify(members.map { ranges[$0] })) { ranges[i] = r }
        }
        for (i, q) in plan.quantizers.enumerated() {
            let axis = q.channelAxis ?? (q.kind == .weights ? 0 : 1)
            let tensors = try RangeComputation.tensors(ranges[i], inputRank: q.rangeShape.isEmpty ? ranks[i] : q.rangeShape.count,
                                                       channelAxis: axis)
            if q.kind == .weights && q.saturationRescale { try rescaleWeights(g, q, by: 2) }
            try PlanApplication.insert(q, ranges: tensors, into: g)
            lastRanges.append((q, tensors))
        }
    }

    func weights(_ g: Graph, _ q: PlannedQuantizer) throws -> Tensor {
        guard let n = g.node(named: q.producer.node), let w = n.constant else {
            throw OVIRError("quantizer '\(q.name)': weights producer '\(q.producer.node)' is not a constant")
        }
        return try PlanApplication.weightsView(w, q)
    }

    func activationRank(_ g: Graph, _ q: PlannedQuantizer) throws -> Int {
        guard let n = g.node(named: q.producer.node), q.producer.output < n.outputs.count,
              let dims = n.outputs[q.producer.output].shape.dims else { return 0 }
        return dims.count
    }

    /// POT's saturation fix on CPU/ANY: the weights are divided by the factor (the FakeQuantize output
    /// range was multiplied by it).
    func rescaleWeights(_ g: Graph, _ q: PlannedQuantizer, by factor: Float) throws {
        guard let n = g.node(named: q.producer.node), var w = n.constant else { return }
        guard w.elementType == .f32 else {
            throw OVIRError("quantizer '\(q.name)': saturation fix on \(w.elementType.rawValue) weights is not supported")
        }
        try w.withUnsafeMutableBufferPointer(as: Float.self) { p in for i in p.indices { p[i] /= factor } }
        n.constant = w
    }
}
