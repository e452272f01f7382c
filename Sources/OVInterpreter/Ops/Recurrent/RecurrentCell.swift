/// One time step of an RNN, GRU or LSTM cell for one batch row, as the OpenVINO specs write it
/// (RNNCell-0, GRUCell-3, LSTMCell-4):
///
/// - RNN: `Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + B)`
/// - GRU: `zt = f(Xt·Wzᵀ + Ht-1·Rzᵀ + Bz)`, `rt = f(Xt·Wrᵀ + Ht-1·Rrᵀ + Br)`,
///   `ht = g(Xt·Whᵀ + (rt ⊙ Ht-1)·Rhᵀ + Bh)` (or `g(Xt·Whᵀ + Wbh + rt ⊙ (Ht-1·Rhᵀ + Rbh))` with
///   `linear_before_reset`), `Ht = (1 - zt) ⊙ ht + zt ⊙ Ht-1`
/// - LSTM: `ft, it, ot = f(…)`, `ct = g(…)`, `Ct = ft ⊙ Ct-1 + it ⊙ ct`, `Ht = ot ⊙ h(Ct)`
///
/// `clip` (when positive) bounds every gate's pre-activation to `[-clip, clip]`.
struct RecurrentCellMath {
    let config: RecurrentConfig
    let inputSize: Int

    /// Floats of scratch `step` needs.
    var scratchCount: Int { 3 * config.kind.gates * config.hiddenSize + 3 * config.hiddenSize }

    @inline(__always)
    private func clipped(_ x: Float) -> Float {
        config.clip > 0 ? Swift.min(Swift.max(x, -config.clip), config.clip) : x
    }

    /// `out[i] = Σk m[i, k] · v[k]` for `rows` rows of a row-major `[rows, cols]` matrix.
    @inline(__always)
    private func matvec(_ m: UnsafePointer<Float>, _ v: UnsafePointer<Float>, rows: Int, cols: Int,
                        _ out: UnsafeMutablePointer<Float>) {
        for i in 0..<rows {
            var acc: Float = 0
            let row = m + i * cols
            for k in 0..<cols { acc += row[k] * v[k] }
            out[i] = acc
        }
    }

    /// Computes `hOut` (and `cOut` for LSTM) from one input row `x` and the previous state.
    /// `b` may be nil (zero bias); `p` are LSTM peepholes `[i, o, f]` (LSTMCell-0) or nil.
    /// Outputs must not alias the inputs.
    func step(x: UnsafePointer<Float>, h: UnsafePointer<Float>, c: UnsafePointer<Float>?,
              w: UnsafePointer<Float>, r: UnsafePointer<Float>, b: UnsafePointer<Float>?, p: UnsafePointer<Float>?,
              hOut: UnsafeMutablePointer<Float>, cOut: UnsafeMutablePointer<Float>?,
              scratch: UnsafeMutablePointer<Float>) {
        let hs = config.hiddenSize, rows = config.gateRows
        let xw = scratch, hr = scratch + rows, tmp = scratch + 2 * rows
        let acts = config.activations
        @inline(__always) func bias(_ i: Int) -> Float { b.map { $0[i] } ?? 0 }
        matvec(w, x, rows: rows, cols: inputSize, xw)
        switch config.kind {
        case .rnn:
            matvec(r, h, rows: hs, cols: hs, hr)
            for j in 0..<hs { hOut[j] = acts[0](clipped(xw[j] + hr[j] + bias(j))) }
        case .lstm:
            matvec(r, h, rows: rows, cols: hs, hr)
            guard let c, let cOut else { return }
            for j in 0..<hs {
                var pf = xw[j] + hr[j] + bias(j)
                var pi = xw[hs + j] + hr[hs + j] + bias(hs + j)
                let pc = xw[2 * hs + j] + hr[2 * hs + j] + bias(2 * hs + j)
                var po = xw[3 * hs + j] + hr[3 * hs + j] + bias(3 * hs + j)
                if let p {
                    pi += p[j] * c[j]
                    pf += p[2 * hs + j] * c[j]
                }
                let ft = acts[0](clipped(pf)), it = acts[0](clipped(pi)), ct = acts[1](clipped(pc))
                let cNew = ft * c[j] + it * ct
                if let p { po += p[hs + j] * cNew }
                let ot = acts[0](clipped(po))
                cOut[j] = cNew
                hOut[j] = ot * acts[2](cNew)
            }
        case .gru:
            matvec(r, h, rows: 2 * hs, cols: hs, hr)
            let z = tmp, rg = tmp + hs, hh = tmp + 2 * hs
            for j in 0..<hs {
                z[j] = acts[0](clipped(xw[j] + hr[j] + bias(j)))
                rg[j] = acts[0](clipped(xw[hs + j] + hr[hs + j] + bias(hs + j)))
            }
            let rh = r + 2 * hs * hs
            if config.linearBeforeReset {
                matvec(rh, h, rows: hs, cols: hs, hh)
                for j in 0..<hs {
                    hh[j] = acts[1](clipped(xw[2 * hs + j] + bias(2 * hs + j) + rg[j] * (hh[j] + bias(3 * hs + j))))
                }
            } else {
                // hr's z/r part is consumed: reuse it for rt ⊙ Ht-1.
                for k in 0..<hs { hr[k] = rg[k] * h[k] }
                matvec(rh, hr, rows: hs, cols: hs, hh)
                for j in 0..<hs { hh[j] = acts[1](clipped(xw[2 * hs + j] + hh[j] + bias(2 * hs + j))) }
            }
            for j in 0..<hs { hOut[j] = (1 - z[j]) * hh[j] + z[j] * h[j] }
        }
    }
}
