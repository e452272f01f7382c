import OVIR

/// A quantizer's four range constants, before they are shaped for the graph.
package struct QuantizerRange: Hashable, Sendable {
    package var inputLow: StatValue
    package var inputHigh: StatValue
    package var outputLow: StatValue
    package var outputHigh: StatValue

    package init(low: StatValue, high: StatValue) {
        inputLow = low
        inputHigh = high
        outputLow = low
        outputHigh = high
    }
}

/// POT's range formulas, learned from `algorithms/quantization/fake_quantize.py` (`symmetric_range`,
/// `asymmetric_range`, `fix_zero_filters_*`, `tune_range`, `tune_range_unify_zp`, `unify_fq_scales`)
/// and `minmax/algorithm.py` (`fill_fq_range`: clipping and the saturation rescaling).
/// Arithmetic is in Double; POT mixes float32 and float64, which differs by ~1e-7 relative.
package enum RangeFormulas {
    /// `fix_zero_filters_symmetric`: no channel's max below max(8e-5, 1% of the largest).
    package static func fixZeroFiltersSymmetric(_ maxLevel: StatValue, eps: Double = 0.01) -> StatValue {
        let largest = maxLevel.values.max() ?? 0
        let threshold = Swift.max(8e-5, eps * largest)
        return maxLevel.map { Swift.max(threshold, $0) }
    }

    /// `fix_zero_filters_asymmetric`: ranges narrower than 8e-4 are widened by 8e-4 on both sides.
    /// (POT turns a 0-d value into a 1-vector here, which changes the constants' shape.)
    package static func fixZeroFiltersAsymmetric(max maxLevel: StatValue, min minLevel: StatValue,
                                                 eps: Double = 1e-8) -> (max: StatValue, min: StatValue) {
        let ranges = maxLevel.zip(minLevel, -)
        let minCorrection = 8 * 10e-5
        let corrections = ranges.values.map { r in r > minCorrection ? (Swift.max(eps * r, r) - r) * 0.5 : minCorrection }
        let c = StatValue(corrections, isScalar: false)
        return (maxLevel.zip(c, +), minLevel.zip(c, -))
    }

    /// `tune_range`: moves one border so that zero is exactly representable, never narrowing the range.
    package static func tuneRange(low a: Double, high b: Double, bits: Int) -> (Double, Double) {
        let levelHigh = Double((1 << bits) - 1)
        let s = levelHigh / (b - a)
        let qval = (-a * s).rounded(.toNearestOrEven)
        var ra = qval < levelHigh ? qval / (qval - levelHigh) * b : a
        var rb = qval > 0 ? (qval - levelHigh) / qval * a : b
        let rangeA = b - ra, rangeB = rb - a
        if rangeA > rangeB { rb = b } else { ra = a }
        return (ra, rb)
    }

    /// `tune_range_unify_zp`: one zero point (the rounded mean of the channels') for all channels.
    package static func tuneRangeUnifiedZeroPoint(low: [Double], high: [Double], bits: Int) -> ([Double], [Double]) {
        let levelHigh = Double((1 << bits) - 1)
        let zps = zip(low, high).map { a, b in -a / ((b - a) / levelHigh) }
        let qval = (zps.reduce(0, +) / Double(Swift.max(zps.count, 1))).rounded(.toNearestOrEven)
        var outLow: [Double] = [], outHigh: [Double] = []
        for (a, b) in zip(low, high) {
            var ra = qval < levelHigh ? qval / (qval - levelHigh) * b : a
            var rb = qval > 0 ? (qval - levelHigh) / qval * a : b
            if b - ra > rb - a { rb = b } else { ra = a }
            outLow.append(ra)
            outHigh.append(rb)
        }
        return (outLow, outHigh)
    }

    /// `symmetric_range` for weights: [-max, max] after the zero-filter fix.
    package static func symmetricWeights(max: StatValue) -> (low: StatValue, high: StatValue) {
        let m = fixZeroFiltersSymmetric(max)
        return (m.map { -$0 }, m)
    }

    /// `symmetric_range` for activations: unsigned [0, max] when every min is ≥ 0 (and the scheme is
    /// not explicitly signed), else [-max·levels/(levels-2), max].
    package static func symmetricActivations(min: StatValue, max: StatValue, levels: Int, signed: Bool) -> (low: StatValue, high: StatValue) {
        let m = fixZeroFiltersSymmetric(max)
        if min.values.allSatisfy({ $0 >= 0 }) && !signed {
            return (m.map { _ in 0 }, m)
        }
        let l = Double(levels)
        return (m.map { -$0 * l / (l - 2) }, m)
    }

    /// `asymmetric_range`: zero-filter fix, the range made to contain zero, then `tune_range`
    /// (or `tune_range_unify_zp` for weights of devices with one zero point).
    package static func asymmetric(min: StatValue, max: StatValue, bits: Int, unifyZeroPoint: Bool = false) -> (low: StatValue, high: StatValue) {
        let fixed = fixZeroFiltersAsymmetric(max: max, min: min)
        let lo = fixed.min.map { $0 < 0 ? $0 : 0 }, hi = fixed.max.map { $0 > 0 ? $0 : 0 }
        let n = Swift.max(lo.count, hi.count)
        let a = (0..<n).map { lo.values[lo.count == 1 ? 0 : $0] }, b = (0..<n).map { hi.values[hi.count == 1 ? 0 : $0] }
        let isScalar = lo.isScalar && hi.isScalar
        if unifyZeroPoint {
            let (ra, rb) = tuneRangeUnifiedZeroPoint(low: a, high: b, bits: bits)
            return (StatValue(ra, isScalar: isScalar), StatValue(rb, isScalar: isScalar))
        }
        let tuned = zip(a, b).map { tuneRange(low: $0, high: $1, bits: bits) }
        return (StatValue(tuned.map(\.0), isScalar: isScalar), StatValue(tuned.map(\.1), isScalar: isScalar))
    }

    /// `fill_fq_range`'s clipping: the max border at most `clip`, the min border at least `clip`.
    package static func clip(_ v: StatValue, isMax: Bool, to clip: Double?) -> StatValue {
        guard let clip else { return v }
        return v.map { isMax ? Swift.min($0, clip) : Swift.max($0, clip) }
    }

    /// `unify_fq_scales`: every member gets the elementwise min of the lows and max of the highs as
    /// both its input and output range.
    package static func unify(_ ranges: [QuantizerRange]) -> [QuantizerRange] {
        guard let n = ranges.map({ $0.inputLow.count }).max() else { return ranges }
        func at(_ v: StatValue, _ i: Int) -> Double { v.values[v.count == 1 ? 0 : i] }
        let low = (0..<n).map { i in ranges.map { at($0.inputLow, i) }.min() ?? 0 }
        let high = (0..<n).map { i in ranges.map { at($0.inputHigh, i) }.max() ?? 0 }
        return ranges.map { r in
            let keep = r.inputLow.count
            let l = StatValue(keep == n ? low : [low.min() ?? 0], isScalar: r.inputLow.isScalar)
            let h = StatValue(keep == n ? high : [high.max() ?? 0], isScalar: r.inputHigh.isScalar)
            return QuantizerRange(low: l, high: h)
        }
    }

    /// The shape POT gives the range constants (`broadcast_fq_values`): `[]` when both borders are
    /// 0-d; otherwise ones of the quantized tensor's rank with the channel count on `channelAxis`
    /// (for per-channel values).
    package static func constantShape(low: StatValue, high: StatValue, inputRank: Int, channelAxis: Int) -> [Int] {
        if low.isScalar && high.isScalar { return [] }
        var shape = Array(repeating: 1, count: Swift.max(inputRank, 1))
        let c = Swift.max(low.count, high.count)
        if c > 1 { shape[Swift.min(channelAxis, shape.count - 1)] = c }
        return shape
    }
}
