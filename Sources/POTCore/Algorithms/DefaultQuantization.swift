import OVIR

/// POT's DefaultQuantization (`algorithms/quantization/default/algorithm.py`):
/// ActivationChannelAlignment, then MinMaxQuantization, then FastBiasCorrection (or BiasCorrection
/// with `use_fast_bias: false`), all with the same parameters and calibration subset.
package final class DefaultQuantization: Algorithm {
    package let name = "DefaultQuantization"
    package let params: QuantizationParams
    package let minMax: MinMaxQuantization
    /// The (producer, consumer) convolutions the last run aligned.
    package private(set) var alignedPairs: [(String, String)] = []
    /// Where the alignment's exactness guard deviated from POT (skipped pairs, private copies).
    package private(set) var alignmentNotes: [ActivationChannelAlignment.GuardNote] = []
    /// Align exactly as POT does, without the exactness guard (for comparisons with POT's output;
    /// POT's in-place rewrite of shared constants changes the FP32 model, see docs/POT_ALGORITHMS.md).
    package var potExactAlignment = false
    /// The last run's bias corrections (applied or refused by the threshold).
    package private(set) var corrections: [FastBiasCorrection.Correction] = []
    /// Progress of statistics collection on stderr (the command line turns it on).
    package var printProgress = false {
        didSet { minMax.printProgress = printProgress }
    }

    package init(params: QuantizationParams) {
        self.params = params
        minMax = MinMaxQuantization(params: params)
        minMax.channelAlignment = true
    }

    package convenience init(config: AlgorithmConfig) throws {
        self.init(params: try QuantizationParams(config.params, algorithm: config.name))
    }

    package func run(_ model: CompressedModel, engine: any Engine) throws -> CompressedModel {
        // ActivationChannelAlignment: its own pass over the calibration subset, on the FP32 model.
        let aligned = model.copy()
        let aca = ActivationChannelAlignment()
        var pairs: [ActivationChannelAlignment.Pair] = [], copies: [String] = []
        alignmentNotes = []
        for m in aligned.models {
            let found = aca.pairs(m.graph)
            if potExactAlignment { pairs += found; continue }
            let guarded = aca.guarded(m.graph, found)
            pairs += guarded.pairs
            alignmentNotes += guarded.notes
            copies += guarded.copies
        }
        minMax.uncountedConstants = Set(copies)
        if !pairs.isEmpty {
            let stats = try minMax.collect(aligned, layout: aca.layout(pairs), engine: engine)
            try aca.apply(pairs, stats: stats)
        }
        alignedPairs = pairs.map { ($0.nodeIn, $0.nodeOut) }
        let (out, plans) = try minMax.prepare(aligned)
        if !params.useFastBias {
            return try runBiasCorrection(fp32: aligned, out: out, plans: plans, engine: engine)
        }
        let fbc = FastBiasCorrection(threshold: params.biasThreshold, applyForAllNodes: params.applyForAllNodes)
        let targets = zip(out.models, plans).map { fbc.targets($0.graph, plan: $1) }
        // POT collects MinMaxQuantization's and the bias correction's statistics in one pass.
        var layout = minMax.statsLayout(plans)
        for t in targets { layout.merge(fbc.layout(t)) { a, b in a.merging(b) { x, _ in x } } }
        let stats = try minMax.collect(out, layout: layout, engine: engine)
        try minMax.finish(out, plans: plans, stats: stats)
        corrections = []
        for (m, t) in zip(out.models, targets) {
            corrections += try fbc.apply(m.graph, targets: t, stats: stats)
        }
        return out
    }

    /// MinMax, then BiasCorrection (`use_fast_bias: false`). POT's statistics collector runs one pass
    /// per distinct sampler size: MinMax's over the calibration subset, BiasCorrection's over its
    /// first fifth (the same samples when the subset is under 10; the results are the same).
    private func runBiasCorrection(fp32: CompressedModel, out: CompressedModel, plans: [PlacementPlan],
                                   engine: any Engine) throws -> CompressedModel {
        guard let launcher = engine as? any GraphLauncher else {
            throw OVIRError("DefaultQuantization.params.use_fast_bias: false (BiasCorrection) needs an engine that can run sub-graphs (conform it to GraphLauncher)")
        }
        guard let sized = engine as? any DatasetSizedEngine, sized.datasetSize > 0 else {
            throw OVIRError("\(name): the engine does not report a non-empty dataset (conform it to DatasetSizedEngine)")
        }
        guard out.models.count == 1 else {
            throw OVIRError("DefaultQuantization.params.use_fast_bias: false (BiasCorrection) is not supported on cascades (\(out.models.count) models); use the fast bias correction")
        }
        let stats = try minMax.collect(out, layout: minMax.statsLayout(plans), engine: engine)
        try minMax.finish(out, plans: plans, stats: stats)
        let bc = BiasCorrection(threshold: params.biasThreshold, applyForAllNodes: params.applyForAllNodes)
        corrections = []
        for (m, f) in zip(out.models, fp32.models) {
            let targets = try bc.targets(m.graph)
            guard !targets.isEmpty else { continue }
            let (layout, paramInputs) = bc.fp32Layout(f.graph, targets: targets)
            try engine.setModel(fp32)
            let sampler = BatchSampler(indices: BiasCorrection.sampleIndices(params, datasetSize: sized.datasetSize),
                                       batchSize: min(params.statBatchSize, sized.datasetSize))
            let fp32Stats = try engine.predict(statsLayout: layout, sampler: sampler, metricPerSample: false,
                                               printProgress: printProgress).statistics
            corrections += try bc.apply(m.graph, targets: targets, fp32Stats: fp32Stats, paramInputs: paramInputs, launcher: launcher)
        }
        return out
    }
}
