import OVIR

/// Per-sample, per-channel low and high quantiles (numpy's linear interpolation) in one pass, for
/// ActivationChannelAlignment's `quantile_per_channel(q)` and `(1-q)` statistics. Extreme quantiles
/// need only a few order statistics from each end, kept in small sorted buffers instead of sorting
/// every channel; other quantiles fall back to sorting.
package enum ChannelQuantiles {
    /// A statistic of shape `[batch, 2·channels]`: the `q` quantiles of every channel, then the `1-q` ones.
    package static func statistic(q: Double) -> StatisticFunction {
        .custom { t in try compute(t, q: q) }
    }

    static func compute(_ t: Tensor, q: Double) throws -> Tensor {
        guard t.rank >= 3 else { throw OVIRError("channel quantiles need an activation of rank ≥ 3, found \(t.shape)") }
        let n = t.shape[0], c = t.shape[1], m = t.count / Swift.max(n * c, 1)
        let v = t.elementType == .f32 ? try t.scalars(as: Float.self) : t.floatValues()
        var out = [Float](repeating: 0, count: n * 2 * c)
        let lo = q * Double(m - 1), hi = (1 - q) * Double(m - 1)
        let kLo = Int(lo.rounded(.down)), kHi = Int(hi.rounded(.down))
        let need = Swift.max(kLo + 2, m - kHi + 1)   // order statistics needed from each end
        v.withUnsafeBufferPointer { p in
            var scratch: [Float] = []
            for b in 0..<n {
                for ch in 0..<c {
                    let x = UnsafeBufferPointer(rebasing: p[((b * c + ch) * m)..<((b * c + ch + 1) * m)])
                    let (a, z): (Double, Double)
                    if need <= 16 && m > 2 * need {
                        (a, z) = extremes(x, lo: lo, hi: hi, count: need)
                    } else {
                        scratch.removeAll(keepingCapacity: true)
                        scratch.append(contentsOf: x)
                        scratch.sort()
                        (a, z) = (interpolate(scratch, lo), interpolate(scratch, hi))
                    }
                    out[b * 2 * c + ch] = Float(a)
                    out[b * 2 * c + c + ch] = Float(z)
                }
            }
        }
        return Tensor(shape: [n, 2 * c], scalars: out)
    }

    static func interpolate(_ s: [Float], _ pos: Double) -> Double {
        let i = Int(pos.rounded(.down)), j = Swift.min(i + 1, s.count - 1)
        return Double(s[i]) + (Double(s[j]) - Double(s[i])) * (pos - Double(i))
    }

    /// The interpolated quantiles at positions `lo` (near the start) and `hi` (near the end) of the
    /// sorted values, from the `count` smallest and `count` largest values.
    static func extremes(_ x: UnsafeBufferPointer<Float>, lo: Double, hi: Double, count k: Int) -> (Double, Double) {
        var small = [Float](repeating: .infinity, count: k)       // ascending
        var large = [Float](repeating: -.infinity, count: k)      // descending
        for v in x {
            if v < small[k - 1] {
                var i = k - 1
                while i > 0 && small[i - 1] > v { small[i] = small[i - 1]; i -= 1 }
                small[i] = v
            }
            if v > large[k - 1] {
                var i = k - 1
                while i > 0 && large[i - 1] < v { large[i] = large[i - 1]; i -= 1 }
                large[i] = v
            }
        }
        let m = x.count
        func fromStart(_ i: Int) -> Double { Double(small[i]) }
        func fromEnd(_ i: Int) -> Double { Double(large[m - 1 - i]) }   // i counts from the start
        let i = Int(lo.rounded(.down)), j = Int(hi.rounded(.down))
        let a = fromStart(i) + (fromStart(Swift.min(i + 1, m - 1)) - fromStart(i)) * (lo - Double(i))
        let z = fromEnd(j) + (fromEnd(Swift.min(j + 1, m - 1)) - fromEnd(j)) * (hi - Double(j))
        return (a, z)
    }
}
