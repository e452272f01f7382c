import OVIR

/// A statistic value: one number (numpy 0-d, `isScalar`) or a vector (per channel, or a per-tensor
/// value POT happens to keep as a 1-element array). The distinction matters only for the shape POT
/// gives the range constants.
package struct StatValue: Hashable, Sendable {
    package var values: [Double]
    package var isScalar: Bool

    package init(_ values: [Double], isScalar: Bool) {
        self.values = values
        self.isScalar = isScalar && values.count == 1
    }
    package static func scalar(_ v: Double) -> StatValue { StatValue([v], isScalar: true) }

    package var count: Int { values.count }
    package func map(_ f: (Double) -> Double) -> StatValue { StatValue(values.map(f), isScalar: isScalar) }
    /// Elementwise with numpy broadcasting of a 1-element side.
    package func zip(_ o: StatValue, _ f: (Double, Double) -> Double) -> StatValue {
        let n = Swift.max(count, o.count)
        let v = (0..<n).map { f(values[count == 1 ? 0 : $0], o.values[o.count == 1 ? 0 : $0]) }
        return StatValue(v, isScalar: isScalar && o.isScalar)
    }
}

/// POT's aggregators (`statistics/functions/aggregation.py`) over per-batch statistics: each batch
/// value has shape `[batch]` (per-tensor) or `[batch, channels]` (per-channel).
package enum Aggregation {
    /// Rows of `channels` values, one row per sample, for every batch.
    static func rows(_ batches: [Tensor]) throws -> (rows: [[[Double]]], channels: Int, perChannel: Bool) {
        guard let first = batches.first else { throw OVIRError("no statistics were collected (empty calibration subset?)") }
        let perChannel = first.rank >= 2
        let channels = perChannel ? first.shape.dropFirst().reduce(1, *) : 1
        let rows = try batches.map { t -> [[Double]] in
            let v = t.doubleValues()
            let c = perChannel ? t.shape.dropFirst().reduce(1, *) : 1
            guard c == channels else {
                throw OVIRError("statistics of different batches have different shapes: \(first.shape) and \(t.shape)")
            }
            return stride(from: 0, to: v.count, by: Swift.max(c, 1)).map { Array(v[$0..<Swift.min($0 + c, v.count)]) }
        }
        return (rows, channels, perChannel)
    }

    /// Aggregates one border's per-batch statistics.
    package static func aggregate(_ batches: [Tensor], with aggregator: BorderEstimator.Aggregator) throws -> StatValue {
        let (rows, channels, perChannel) = try rows(batches)
        // numpy: a per-tensor result of min/max/mean/median/hl is 0-d; the no-outlier estimators
        // always return one value per channel (a 1-vector for per-tensor statistics).
        func column(_ c: Int) -> [Double] { rows.flatMap { $0.map { $0[c] } } }
        var out: [Double] = []
        for c in 0..<channels {
            switch aggregator {
            case .min: out.append(column(c).min() ?? .nan)
            case .max: out.append(column(c).max() ?? .nan)
            case .mean, .batchMean:
                // mean over batches of each batch's mean over its samples
                let means = rows.map { b in b.reduce(0) { $0 + $1[c] } / Double(Swift.max(b.count, 1)) }
                out.append(means.reduce(0, +) / Double(Swift.max(means.count, 1)))
            case .median: out.append(median(column(c)))
            case .meanNoOutliers, .medianNoOutliers:
                let x = column(c)
                let s = x.sorted()
                let lo = linearQuantile(s, 0.01), hi = linearQuantile(s, 0.99)
                let kept = x.filter { $0 >= lo && $0 <= hi }
                out.append(aggregator == .meanNoOutliers ? kept.reduce(0, +) / Double(Swift.max(kept.count, 1)) : median(kept))
            case .hlEstimator: out.append(hodgesLehmann(column(c)))
            }
        }
        let vectorAlways = aggregator == .meanNoOutliers || aggregator == .medianNoOutliers
        return StatValue(out, isScalar: !perChannel && !vectorAlways)
    }

    /// numpy's median.
    package static func median(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        let s = x.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// numpy's default (linear) quantile of sorted values.
    package static func linearQuantile(_ s: [Double], _ q: Double) -> Double {
        guard !s.isEmpty else { return .nan }
        let pos = q * Double(s.count - 1)
        let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, s.count - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
    }

    /// Hodges–Lehmann mean: half the median of the pairwise sums of distinct samples.
    static func hodgesLehmann(_ x: [Double]) -> Double {
        var sums: [Double] = []
        sums.reserveCapacity(x.count * (x.count - 1) / 2)
        for i in x.indices { for j in 0..<i { sums.append(x[i] + x[j]) } }
        return 0.5 * median(sums)
    }
}
