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
    package var channelAlignment = false
    /// Consts SwiftPOT added that POT's graph does not have (the channel alignment guard's private
    /// copies); placement leaves them out of POT's node-id counting.
    package var uncountedConstants: Set<String> = []
    /// Progress of statistics collection on stderr (the command line turns it on).
    package var printProgress = false
    /// What the last run computed, for reports: quantizer name → (plan entry, constants).
    package private(set) var lastRanges: [(quantizer: PlannedQuantizer, ranges: [Tensor])] = []

    package init(params: QuantizationParams) { self.params = params }

    package convenience init(config: AlgorithmConfig) throws {
        self.init(params: try QuantizationParams(config.params, algorithm: config.name))
    }

    package func run(_ model: CompressedModel, engine: any Engine) throws -> CompressedModel {
        let (out, plans) = try prepare(model)
        let stats = try collect(out, layout: statsLayout(plans), engine: engine)
        try finish(out, plans: plans, stats: stats)
        return out
    }

    /// A copy of `model` and the placement plan of each member (the plan's preprocessing is applied
    /// with the FakeQuantize layers, after statistics are collected on the model as it is).
    package func prepare(_ model: CompressedModel) throws -> (CompressedModel, [PlacementPlan]) {
        let out = model.copy()
        var plans: [PlacementPlan] = []
        for m in out.models {
            let ignored = try params.ignored(for: m.name, of: out)
            try validateIgnoredScope(m.graph, ignored.scope, member: out.isCascade ? m.name : nil)
            var config = params.placementConfig(channelAlignment: channelAlignment, ignored: ignored)
            config.uncountedConstants = uncountedConstants
            var plan = try QuantizerPlacement.makePlan(graph: m.graph, config: config)
            // skip_model: POT still preprocesses the model at load (zero biases, transposed MatMul
            // weights) but inserts no FakeQuantize into it.
            if ignored.skipModel { plan.quantizers = [] }
            plans.append(plan)
        }
        return (out, plans)
    }

    /// Ranges for every planned quantizer from `stats`, and the FakeQuantize layers.
    package func finish(_ model: CompressedModel, plans: [PlacementPlan], stats: [StatisticPoint: [String: [Tensor]]]) throws {
        lastRanges = []
        for (m, plan) in zip(model.models, plans) {
            try quantize(m.graph, plan: plan, stats: stats)
        }
    }

    /// An ignored-scope name that matches no layer is an error (POT ignores it silently).
    func validateIgnoredScope(_ g: Graph, _ scope: [String], member: String?) throws {
        let names = g.nodes.map(\.name)
        let known = Set(names)
        for s in scope where !known.contains(s) {
            let hint = closestName(to: s, in: names).map { "; did you mean '\($0)'?" } ?? ""
            let key = member.map { "ignored.\($0).scope" } ?? "ignored scope"
            throw OVIRError("\(key): no layer named '\(s)' in model '\(g.name)'\(hint)")
        }
    }

    /// The activation statistics every quantizer needs.
    package func statsLayout(_ plans: [PlacementPlan]) -> StatsLayout {
        var layout: StatsLayout = [:]
        for plan in plans {
            for q in plan.quantizers where q.kind == .activations {
                let point = PlanApplication.statisticPoint(q, plan: plan)
                let e = params.estimator(for: q)
                for (isMax, b) in [(false, e.min), (true, e.max)] {
                    guard let b else { continue }
                    layout[point, default: [:]][b.statName(isMax: isMax)] = b.statistic(isMax: isMax)
                }
            }
        }
        return layout
    }

    /// One pass over the calibration subset collecting `layout`.
    package func collect(_ model: CompressedModel, layout: StatsLayout, engine: any Engine) throws -> [StatisticPoint: [String: [Tensor]]] {
        guard !layout.isEmpty else { return [:] }
        try engine.setModel(model)
        let sampler = try calibrationSampler(engine)
        return try engine.predict(statsLayout: layout, sampler: sampler, metricPerSample: false, printProgress: printProgress).statistics
    }

    package func calibrationSampler(_ engine: any Engine) throws -> BatchSampler {
        guard let sized = engine as? any DatasetSizedEngine else {
            throw OVIRError("\(name): the engine does not report its dataset size (conform it to DatasetSizedEngine)")
        }
        guard sized.datasetSize > 0 else { throw OVIRError("\(name): the calibration dataset is empty") }
        return BatchSampler(indices: params.subsetIndices(datasetSize: sized.datasetSize), batchSize: params.statBatchSize)
    }

    /// Ranges for every planned quantizer, then the FakeQuantize layers (placement's graph edit).
    func quantize(_ g: Graph, plan: PlacementPlan, stats: [StatisticPoint: [String: [Tensor]]]) throws {
        var ranges: [QuantizerRange] = []
        var ranks: [Int] = []
        for q in plan.quantizers {
            let e = params.estimator(for: q)
            let spec = RangeSpec(name: q.name, kind: q.kind, scheme: q.scheme, levels: q.levels, estimator: e,
                                 saturationRescale: q.saturationRescale)
            var minV: StatValue?, maxV: StatValue?
            if q.kind == .weights {
                let w = try PlanApplication.weights(g, q, plan: plan)
                minV = try e.min.map { try WeightStatistics.compute(w, estimator: $0, isMax: false, channelAxis: q.channelAxis ?? 0) }
                maxV = try e.max.map { try WeightStatistics.compute(w, estimator: $0, isMax: true, channelAxis: q.channelAxis ?? 0) }
                ranks.append(w.rank)
            } else {
                let point = PlanApplication.statisticPoint(q, plan: plan)
                func agg(_ b: BorderEstimator?, _ isMax: Bool) throws -> StatValue? {
                    guard let b else { return nil }
                    guard let batches = stats[point]?[b.statName(isMax: isMax)] else {
                        throw OVIRError("quantizer '\(q.name)': no statistics were collected on \(point)")
                    }
                    return try Aggregation.aggregate(batches, with: b.aggregator ?? (isMax ? .max : .min))
                }
                minV = try agg(e.min, false)
                maxV = try agg(e.max, true)
                ranks.append(activationRank(g, point))
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
        var byName: [String: QuantizerRanges] = [:]
        for (i, q) in plan.quantizers.enumerated() {
            let axis = q.channelAxis ?? (q.kind == .weights ? 0 : 1)
            let t = try RangeComputation.tensors(ranges[i], inputRank: q.rangeShape.isEmpty ? ranks[i] : q.rangeShape.count,
                                                 channelAxis: axis)
            byName[q.name] = QuantizerRanges(inputLow: t[0], inputHigh: t[1], outputLow: t[2], outputHigh: t[3])
            lastRanges.append((q, t))
        }
        try QuantizerPlacement.insertFakeQuantize(graph: g, plan: plan, ranges: byName)
    }

    func activationRank(_ g: Graph, _ point: StatisticPoint) -> Int {
        guard let n = g.node(named: point.node), point.port < n.outputs.count else { return 0 }
        return n.outputs[point.port].shape.rank ?? 0
    }
}
