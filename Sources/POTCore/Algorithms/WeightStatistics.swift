import OVIR

/// Statistics of constant weights, as POT's `statistics/functions/weights.py`: per-tensor, or per
/// filter (the tensor seen as `[channels, -1]` along `channelAxis`; axis 1 is POT's `transpose` for
/// ConvolutionBackpropData).
package enum WeightStatistics {
    package static func compute(_ weights: Tensor, estimator: BorderEstimator, isMax: Bool, channelAxis: Int) throws -> StatValue {
        let values = weights.doubleValues()
        let q = isMax ? 1 - estimator.outlierProb : estimator.outlierProb
        func reduce(_ x: [Double]) -> Double {
            switch estimator.type {
            case .min: return x.min() ?? .nan
            case .max: return x.max() ?? .nan
            case .absMax: return x.reduce(0) { Swift.max($0, abs($1)) }
            case .quantile: return Aggregation.linearQuantile(x.sorted(), q)
            case .absQuantile: return Aggregation.linearQuantile(x.map(abs).sorted(), q)
            }
        }
        guard estimator.granularity == .perChannel, weights.rank >= 1 else {
            return .scalar(reduce(values))
        }
        let shape = weights.shape
        let axis = Swift.min(Swift.max(channelAxis, 0), shape.count - 1)
        let channels = shape[axis]
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        guard channels > 0 else { throw OVIRError("cannot compute per-channel statistics of weights of shape \(shape)") }
        var groups = Array(repeating: [Double](), count: channels)
        for o in 0..<outer {
            for c in 0..<channels {
                let base = (o * channels + c) * inner
                groups[c].append(contentsOf: values[base..<(base + inner)])
            }
        }
        return StatValue(groups.map(reduce), isScalar: false)
    }
}
