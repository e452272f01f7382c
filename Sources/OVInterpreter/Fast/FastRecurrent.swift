/// RNNSequence-5, GRUSequence-5, LSTMSequence-5 and the cells RNNCell-0, GRUCell-3, LSTMCell-4
/// (LSTMCell-0 without peepholes) on f32 with the default activations (sigmoid/tanh), any
/// direction, `sequence_lengths`, `clip` and `linear_before_reset`.
///
/// Per direction: the input projection `X·Wᵀ + B` of every batch row and time step is one sgemm
/// (`[batch·seq, input] x [input, gates·hidden]`); each step then multiplies the running states by
/// `Rᵀ` for all batch rows at once (an sgemm, or SIMD dot products for one batch row) and applies the
/// gate math as vector loops on ``VMath``'s exp and tanh. Gate orders, the GRU reset variants and the masking
/// past a sequence's length are the reference's (``RecurrentCellMath``, ``RecurrentSequenceKernel``).
/// A bidirectional sequence runs its two directions on two threads when it has them.
/// Other activations and LSTMCell-0's peepholes stay with the reference kernels.
final class FastRecurrentKernel: Kernel {
    let reference: any Kernel
    let config: RecurrentConfig
    let sequence: Bool

    init(reference: any Kernel, config: RecurrentConfig, sequence: Bool) {
        self.reference = reference
        self.config = config
        self.sequence = sequence
    }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        let config: RecurrentConfig, sequence: Bool
        if let ref = reference as? RecurrentSequenceKernel {
            (config, sequence) = (ref.config, true)
            let lengthIndex = config.kind == .lstm ? 3 : 2
            guard inputs.count == lengthIndex + 4, inputs[lengthIndex].elementType.isInteger,
                  inputs.enumerated().allSatisfy({ $0.offset == lengthIndex || $0.element.elementType == .f32 }) else { return nil }
        } else if let ref = reference as? RecurrentCellKernel {
            (config, sequence) = (ref.config, false)
            let weightIndex = config.kind == .lstm ? 3 : 2
            // X, H, (C), W, R and an optional B; LSTMCell-0's peepholes P stay with the reference.
            guard inputs.count == weightIndex + 2 || inputs.count == weightIndex + 3,
                  inputs.allSatisfy({ $0.elementType == .f32 }) else { return nil }
        } else {
            return nil
        }
        let defaults: [RecurrentActivation.Function]
        switch config.kind {
        case .rnn: defaults = [.tanh]
        case .gru: defaults = [.sigmoid, .tanh]
        case .lstm: defaults = [.sigmoid, .tanh, .tanh]
        }
        // OpenBLAS is opened only here, once a recurrent node is taken (not for every unclaimed node).
        guard config.activations.map(\.function) == defaults, BLAS.isAvailable else { return nil }
        return FastRecurrentKernel(reference: reference, config: config, sequence: sequence)
    }

    var kernelName: String { "blas.recurrent" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let isLSTM = config.kind == .lstm
        let hs = config.hiddenSize, gateRows = config.gateRows
        let x = inputs[0], batch = x.shape[0]
        let seq = sequence ? x.shape[1] : 1
        let inputSize = x.shape[sequence ? 2 : 1]
        let nd = sequence ? config.directions : 1
        let lengthIndex = isLSTM ? 3 : 2
        let weightIndex = sequence ? lengthIndex + 1 : lengthIndex
        var lengths = [Int](repeating: seq, count: batch)
        if sequence {
            let lt = inputs[lengthIndex]
            for n in 0..<batch { lengths[n] = Swift.min(Swift.max(Int(lt.int64Value(at: n)), 0), seq) }
        }
        let biasRows = config.biasRows
        let xp = UnsafePointer(x.pointer(Float.self))
        let wp = UnsafePointer(inputs[weightIndex].pointer(Float.self)), rp = UnsafePointer(inputs[weightIndex + 1].pointer(Float.self))
        let bp = inputs.count > weightIndex + 2 ? UnsafePointer(inputs[weightIndex + 2].pointer(Float.self)) : nil
        let h0 = UnsafePointer(inputs[1].pointer(Float.self)), c0 = isLSTM ? UnsafePointer(inputs[2].pointer(Float.self)) : nil
        // Sequences: Y, Ho, (Co); cells: Ho, (Co).
        let y = sequence ? outputs[0].pointer(Float.self) : nil
        let ho = outputs[sequence ? 1 : 0].pointer(Float.self)
        let co = isLSTM ? outputs[sequence ? 2 : 1].pointer(Float.self) : nil
        let layout = StepScratch(batch: batch, seq: seq, gateRows: gateRows, hidden: hs)
        let scratch = ctx.scratch(slot: 0, byteCount: nd * layout.count * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
        let threads = ctx.options.threads
        let dirWorkers = nd > 1 && threads > 1 ? nd : 1
        let lengthsCopy = lengths
        lengthsCopy.withUnsafeBufferPointer { lengths in
            parallelFor(nd, threads: dirWorkers) { d in
                let reverse = nd == 2 ? d == 1 : config.reverse
                let dir = Direction(
                    config: config, batch: batch, seq: seq, inputSize: inputSize, lengths: lengths, reverse: reverse,
                    x: xp, w: wp + d * gateRows * inputSize, r: rp + d * gateRows * hs, b: bp.map { $0 + d * biasRows },
                    h0: h0 + d * hs, c0: c0.map { $0 + d * hs }, stateStride: nd * hs,
                    y: y.map { $0 + d * seq * hs }, yBatchStride: nd * seq * hs,
                    hOut: ho + d * hs, cOut: co.map { $0 + d * hs }, threads: Swift.max(1, threads / dirWorkers))
                dir.run(scratch: scratch + d * layout.count, layout: layout)
            }
        }
    }
}

/// Where one direction's buffers sit in its scratch: `xw [batch·seq, gates·hidden]` (the input
/// projection plus bias), `hr [batch, gates·hidden]`, the running `h` and `c`, and the GRU's `r ⊙ h`
/// and `(r ⊙ h)·Rhᵀ` (each `[batch, hidden]`).
private struct StepScratch {
    let xw: Int, hr: Int, h: Int, c: Int, rh: Int, hh: Int, count: Int

    init(batch: Int, seq: Int, gateRows: Int, hidden: Int) {
        xw = 0
        hr = batch * seq * gateRows
        h = hr + batch * gateRows
        c = h + batch * hidden
        rh = c + batch * hidden
        hh = rh + batch * hidden
        count = Swift.max(1, hh + batch * hidden)
    }
}

/// One direction of a sequence (or a cell: `seq` 1) over all batch rows.
private struct Direction {
    let config: RecurrentConfig
    let batch: Int, seq: Int, inputSize: Int
    let lengths: UnsafeBufferPointer<Int>
    let reverse: Bool
    /// `X [batch, seq, input]`, `W [gates·hidden, input]`, `R [gates·hidden, hidden]`, `B` or nil.
    let x: UnsafePointer<Float>, w: UnsafePointer<Float>, r: UnsafePointer<Float>, b: UnsafePointer<Float>?
    /// Initial states, batch row `n` at `n·stateStride`.
    let h0: UnsafePointer<Float>, c0: UnsafePointer<Float>?, stateStride: Int
    /// `Y` with batch row `n`, step `t` at `n·yBatchStride + t·hidden` (sequences only).
    let y: UnsafeMutablePointer<Float>?, yBatchStride: Int
    /// Final states, batch row `n` at `n·stateStride`.
    let hOut: UnsafeMutablePointer<Float>, cOut: UnsafeMutablePointer<Float>?
    let threads: Int

    /// `c[i, j] = Σk a[i, k] · m[j, k]` for `a [rows, k]` and `m [cols, k]` (row-major, `c` row stride
    /// `ldc`): one row is a matrix-vector product (SIMD dot products), more an sgemm with Bᵀ.
    private func timesTransposed(_ a: UnsafePointer<Float>, rows: Int, _ m: UnsafePointer<Float>, cols: Int, k: Int,
                                 _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        if rows == 1 {
            BLAS.sgemm(m: cols, n: 1, k: k, a: m, lda: k, b: a, ldb: 1, c: c, ldc: 1, threads: threads)
        } else {
            BLAS.sgemm(transB: true, m: rows, n: cols, k: k, a: a, lda: k, b: m, ldb: k, c: c, ldc: ldc, threads: threads)
        }
    }

    func run(scratch s: UnsafeMutablePointer<Float>, layout: StepScratch) {
        let hs = config.hiddenSize, g = config.gateRows
        let xw = s + layout.xw, hr = s + layout.hr, h = s + layout.h, c = s + layout.c, rh = s + layout.rh, hh = s + layout.hh
        let rows = batch * seq
        let isLSTM = config.kind == .lstm
        // Input projection of every step, with the input-side bias (the first gates·hidden of B).
        timesTransposed(x, rows: rows, w, cols: g, k: inputSize, xw, ldc: g)
        if let b {
            for i in 0..<rows { add(xw + i * g, b, g) }
        }
        for n in 0..<batch {
            (h + n * hs).update(from: h0 + n * stateStride, count: hs)
            if isLSTM, let c0 { (c + n * hs).update(from: c0 + n * stateStride, count: hs) }
        }
        let maxLength = lengths.max() ?? 0
        let clip = config.clip
        // The recurrent bias of the GRU's candidate with linear_before_reset.
        let rbh = config.linearBeforeReset ? b.map { $0 + 3 * hs } : nil
        for step in 0..<maxLength {
            // The time step each batch row reads, or nil once its sequence has ended.
            @inline(__always) func time(_ n: Int) -> Int? {
                let len = lengths[n]
                return step < len ? (reverse ? len - 1 - step : step) : nil
            }
            switch config.kind {
            case .rnn:
                timesTransposed(h, rows: batch, r, cols: hs, k: hs, hr, ldc: g)
                for n in 0..<batch {
                    guard let t = time(n) else { continue }
                    let pre = hr + n * g
                    add(pre, xw + (n * seq + t) * g, hs)
                    if clip > 0 { clamp(pre, hs, clip) }
                    VMath.map(pre, h + n * hs, hs, TanhF.self)
                    store(n, t, h)
                }
            case .lstm:
                timesTransposed(h, rows: batch, r, cols: g, k: hs, hr, ldc: g)
                for n in 0..<batch {
                    guard let t = time(n) else { continue }
                    let pre = hr + n * g
                    add(pre, xw + (n * seq + t) * g, g)
                    if clip > 0 { clamp(pre, g, clip) }
                    VMath.map(pre, pre, 2 * hs, SigmoidF.self)                 // f, i
                    VMath.map(pre + 2 * hs, pre + 2 * hs, hs, TanhF.self)       // c~
                    VMath.map(pre + 3 * hs, pre + 3 * hs, hs, SigmoidF.self)    // o
                    let hn = h + n * hs, cn = c + n * hs
                    for j in 0..<hs {
                        let cNew = pre[j] * cn[j] + pre[hs + j] * pre[2 * hs + j]
                        cn[j] = cNew
                        hn[j] = cNew   // tanh applied below
                    }
                    VMath.map(hn, hn, hs, TanhF.self)
                    for j in 0..<hs { hn[j] *= pre[3 * hs + j] }
                    store(n, t, h)
                }
            case .gru:
                let lbr = config.linearBeforeReset
                // z and r (and, with linear_before_reset, the candidate's H·Rhᵀ) from one product.
                timesTransposed(h, rows: batch, r, cols: lbr ? g : 2 * hs, k: hs, hr, ldc: g)
                for n in 0..<batch {
                    let pre = hr + n * g
                    guard let t = time(n) else {
                        if !lbr { (rh + n * hs).update(repeating: 0, count: hs) }
                        continue
                    }
                    add(pre, xw + (n * seq + t) * g, 2 * hs)
                    if clip > 0 { clamp(pre, 2 * hs, clip) }
                    VMath.map(pre, pre, 2 * hs, SigmoidF.self)                 // z, r
                    if !lbr {
                        let rg = pre + hs, hn = h + n * hs, rhn = rh + n * hs
                        for j in 0..<hs { rhn[j] = rg[j] * hn[j] }
                    }
                }
                if !lbr { timesTransposed(rh, rows: batch, r + 2 * hs * hs, cols: hs, k: hs, hh, ldc: hs) }
                for n in 0..<batch {
                    guard let t = time(n) else { continue }
                    let pre = hr + n * g, xh = xw + (n * seq + t) * g + 2 * hs
                    let cand = hh + n * hs
                    if lbr {
                        let rg = pre + hs, hrh = pre + 2 * hs
                        if let rbh {
                            for j in 0..<hs { cand[j] = xh[j] + rg[j] * (hrh[j] + rbh[j]) }
                        } else {
                            for j in 0..<hs { cand[j] = xh[j] + rg[j] * hrh[j] }
                        }
                    } else {
                        add(cand, xh, hs)
                    }
                    if clip > 0 { clamp(cand, hs, clip) }
                    VMath.map(cand, cand, hs, TanhF.self)
                    let z = pre, hn = h + n * hs
                    for j in 0..<hs { hn[j] = (1 - z[j]) * cand[j] + z[j] * hn[j] }
                    store(n, t, h)
                }
            }
        }
        for n in 0..<batch {
            if let y {
                let len = lengths[n]
                if len < seq { (y + n * yBatchStride + len * hs).update(repeating: 0, count: (seq - len) * hs) }
            }
            (hOut + n * stateStride).update(from: h + n * hs, count: hs)
            if isLSTM, let cOut { (cOut + n * stateStride).update(from: c + n * hs, count: hs) }
        }
    }

    /// Copies batch row `n`'s new state into `Y` at step `t` (sequences only).
    @inline(__always)
    private func store(_ n: Int, _ t: Int, _ h: UnsafeMutablePointer<Float>) {
        guard let y else { return }
        let hs = config.hiddenSize
        (y + n * yBatchStride + t * hs).update(from: h + n * hs, count: hs)
    }

    @inline(__always)
    private func add(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { dst[i] += src[i] }
    }

    /// Bounds `n` pre-activations to `[-clip, clip]`, as the reference does.
    @inline(__always)
    private func clamp(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ clip: Float) {
        for i in 0..<n { p[i] = Swift.min(Swift.max(p[i], -clip), clip) }
    }
}
