import OVIR

/// Everything the range formulas need to know about one quantizer (POT's per-FakeQuantize
/// `fake_quantize_config` entry plus the node facts `fill_fq_range` looks at).
package struct RangeSpec: Hashable, Sendable {
    package var name: String
    package var kind: QuantizerKind
    package var scheme: QuantizationScheme
    package var levels: Int
    package var estimator: RangeEstimator
    /// POT's `signed`: the scheme has explicit levels with a negative low level.
    package var signed: Bool
    /// The saturation fix: the output range is multiplied by `scalingFactor` (the weights are divided by it).
    package var saturationRescale: Bool
    package var scalingFactor: Double
    /// Weights of devices with a per-tensor zero point (POT `unified_zeropoint`; not CPU).
    package var unifyZeroPoint: Bool

    package init(name: String, kind: QuantizerKind, scheme: QuantizationScheme, levels: Int, estimator: RangeEstimator,
                 saturationRescale: Bool = false, scalingFactor: Double = 2, unifyZeroPoint: Bool = false) {
        self.name = name
        self.kind = kind
        self.scheme = scheme
        self.levels = levels
        self.estimator = estimator
        self.signed = (scheme.levelLow ?? 0) < 0 && scheme.levelHigh != nil
        self.saturationRescale = saturationRescale
        self.scalingFactor = scalingFactor
        self.unifyZeroPoint = unifyZeroPoint
    }
}

package enum RangeComputation {
    /// One quantizer's range from its aggregated (activations) or computed (weights) statistics,
    /// as POT's `fill_fq_range` before `unify_fq_scales`.
    package static func range(_ spec: RangeSpec, min: StatValue?, max: StatValue?) throws -> QuantizerRange {
        guard let max else { throw OVIRError("quantizer '\(spec.name)': no max statistic") }
        var low: StatValue, high: StatValue
        switch spec.scheme.mode {
        case .symmetric:
            if spec.kind == .weights {
                (low, high) = RangeFormulas.symmetricWeights(max: max)
            } else {
                guard let min else { throw OVIRError("quantizer '\(spec.name)': no min statistic") }
                (low, high) = RangeFormulas.symmetricActivations(min: min, max: max, levels: spec.levels, signed: spec.signed)
            }
        case .asymmetric:
            guard let min else { throw OVIRError("quantizer '\(spec.name)': no min statistic") }
            if spec.unifyZeroPoint && spec.kind == .activations {
                throw OVIRError("quantizer '\(spec.name)': a unified zero point is supported for weights only")
            }
            (low, high) = RangeFormulas.asymmetric(min: min, max: max, bits: spec.scheme.bits, unifyZeroPoint: spec.unifyZeroPoint)
        }
        if let e = spec.estimator.min { low = RangeFormulas.clip(low, isMax: false, to: e.clippingValue) }
        if let e = spec.estimator.max { high = RangeFormulas.clip(high, isMax: true, to: e.clippingValue) }
        var r = QuantizerRange(low: low, high: high)
        if spec.saturationRescale {
            r.outputLow = low.map { $0 * spec.scalingFactor }
            r.outputHigh = high.map { $0 * spec.scalingFactor }
        }
        return r
    }

    /// The four constants as f32 tensors of POT's shapes.
    package static func tensors(_ r: QuantizerRange, inputRank: Int, channelAxis: Int) throws -> [Tensor] {
        let shape = RangeFormulas.constantShape(low: r.inputLow, high: r.inputHigh, inputRank: inputRank, channelAxis: channelAxis)
        let n = shape.reduce(1, *)
        return try [r.inputLow, r.inputHigh, r.outputLow, r.outputHigh].map { v in
            let vals: [Double] = v.count == n ? v.values : (v.count == 1 ? Array(repeating: v.values[0], count: n) : [])
            guard vals.count == n else { throw OVIRError("range of \(v.count) values does not fit the constant shape \(shape)") }
            return Tensor(shape: shape, scalars: vals.map { Float($0) })
        }
    }
}
