/// `C[i, j] = epilogue_i(Σ_p A[i, p] · B[p, j])` for row-major `A` `[m, k]`, `B` `[k, n]` and `C` `[m, n]`
/// with a short inner dimension: the GEMM of a 1x1 convolution on NCHW planes (or of an im2col tile)
/// with few input channels. OpenBLAS spends more on packing `B` and zeroing `C` (its beta pass)
/// than on the product at these shapes (k ≤ ``maxK``, measured on face_landmark's 16..128-channel
/// 1x1 convolutions: 30-55 GFLOP/s); here `B` is read in place.
///
/// Register tile: 4 rows × 24 columns (12 SIMD8 accumulators, 3 loads of `B` and 4 weight
/// broadcasts per step of `p`; FMA keeps it within 16 ymm registers — separate multiply and add
/// spilled), then 4 × 8, then 1-row tiles for the last `m mod 4` rows. The `B` panel of one tile
/// column (k × 24 floats) stays in L1 across all row blocks. The epilogue (bias, residual, activation) runs in registers before the one store of each output.
/// Sums run over `p` in increasing order with fused multiply-adds (one rounding per step; the
/// reference rounds the product and the sum, so results differ in the last bits, as OpenBLAS's do).
enum SmallGemm {
    /// Largest inner dimension this kernel takes; beyond it OpenBLAS's blocking wins.
    static let maxK = 160

    /// Whether to use this kernel rather than OpenBLAS for an `m × n × k` product.
    /// Fewer than 16 columns (3x3 planes) stay with OpenBLAS: the overlapping last panel would
    /// recompute most of a 9-column product (measured 10-30% slower there).
    static func claims(m: Int, n: Int, k: Int) -> Bool { k <= maxK && n >= 16 && m >= 1 }

    static func run(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: ConvEpilogue?, channelBase: Int) {
        let biasP = epilogue.flatMap { e in e.bias.map { UnsafePointer($0.pointer(Float.self)) } }
        let slopeP = epilogue.flatMap { e in e.slope.map { UnsafePointer($0.pointer(Float.self)) } }
        let slopeStride = epilogue?.slopeStride ?? 0
        @inline(__always) func bias(_ i: Int) -> SIMD8<Float> {
            SIMD8<Float>(repeating: biasP.map { $0[channelBase + i] } ?? 0)
        }
        @inline(__always) func slope(_ i: Int) -> SIMD8<Float> {
            SIMD8<Float>(repeating: slopeP.map { $0[(channelBase + i) * slopeStride] } ?? 1)
        }
        // Residual Add / ReLU / Clamp epilogues (``EpilogueTail``): the registers get the bias only,
        // and each panel's rows (in L1) are finished right after the panel (`after`), so the
        // register tile's code is the same for every epilogue.
        let general = epilogue.map { !$0.isBiasPReLU } ?? false
        let tail = epilogue?.tail ?? EpilogueTail()
        let hasBias = biasP != nil, hasSlope = slopeP != nil && !general
        @inline(__always) func finish(_ v: SIMD8<Float>, _ bv: SIMD8<Float>, _ sv: SIMD8<Float>) -> SIMD8<Float> {
            guard hasBias else { return v }
            let y = v + bv
            guard hasSlope else { return y }
            return y.replacing(with: y * sv, where: y .< 0)
        }
        @inline(__always) func put(_ v: SIMD8<Float>, _ bv: SIMD8<Float>, _ sv: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
            store8(finish(v, bv, sv), p)
        }
        // Columns `finished..<upTo` of every row, once ~256 columns are pending (still in L1/L2;
        // a call per 24-column panel cost more than the pass it saves) and at the end.
        var finished = 0
        func finishColumns(upTo: Int, force: Bool) {
            guard general, upTo - finished >= (force ? 1 : 256) else { return }
            for i in 0..<m {
                tail.finishRow(c + i * ldc + finished, count: upTo - finished,
                               channel: epilogue?.tailConstants(channel: channelBase + i) ?? TailChannel())
            }
            finished = upTo
        }
        @inline(__always) func finishScalar(_ v: Float, _ i: Int, at p: UnsafeMutablePointer<Float>) -> Float {
            if general, let biasP { return v + biasP[channelBase + i] }   // finished below
            guard let biasP else { return v }
            let y = v + biasP[channelBase + i]
            guard let slopeP else { return y }
            return y < 0 ? y * slopeP[(channelBase + i) * slopeStride] : y
        }

        let n24 = n / 24 * 24, n8 = n / 8 * 8, m4 = m / 4 * 4
        // 24-column panels.
        var j = 0
        while j < n24 {
            let bj = b + j
            var i = 0
            while i < m4 {
                let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
                var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>()
                var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>()
                var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>()
                var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c32 = SIMD8<Float>()
                var bp = bj
                for p in 0..<k {
                    let x0 = load8(bp), x1 = load8(bp + 8), x2 = load8(bp + 16)
                    let w0 = SIMD8<Float>(repeating: a0[p]), w1 = SIMD8<Float>(repeating: a1[p])
                    c00 = c00.addingProduct(w0, x0); c01 = c01.addingProduct(w0, x1); c02 = c02.addingProduct(w0, x2)
                    c10 = c10.addingProduct(w1, x0); c11 = c11.addingProduct(w1, x1); c12 = c12.addingProduct(w1, x2)
                    let w2 = SIMD8<Float>(repeating: a2[p]), w3 = SIMD8<Float>(repeating: a3[p])
                    c20 = c20.addingProduct(w2, x0); c21 = c21.addingProduct(w2, x1); c22 = c22.addingProduct(w2, x2)
                    c30 = c30.addingProduct(w3, x0); c31 = c31.addingProduct(w3, x1); c32 = c32.addingProduct(w3, x2)
                    bp += ldb
                }
                let cp = c + i * ldc + j
                var bv = bias(i), sv = slope(i)
                put(c00, bv, sv, cp); put(c01, bv, sv, cp + 8); put(c02, bv, sv, cp + 16)
                bv = bias(i + 1); sv = slope(i + 1)
                put(c10, bv, sv, cp + ldc); put(c11, bv, sv, cp + ldc + 8); put(c12, bv, sv, cp + ldc + 16)
                bv = bias(i + 2); sv = slope(i + 2)
                let cp2 = cp + 2 * ldc, cp3 = cp + 3 * ldc
                put(c20, bv, sv, cp2); put(c21, bv, sv, cp2 + 8); put(c22, bv, sv, cp2 + 16)
                bv = bias(i + 3); sv = slope(i + 3)
                put(c30, bv, sv, cp3); put(c31, bv, sv, cp3 + 8); put(c32, bv, sv, cp3 + 16)
                i += 4
            }
            while i < m {
                let ai = a + i * lda
                var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
                var bp = bj
                for p in 0..<k {
                    let w = SIMD8<Float>(repeating: ai[p])
                    c0 = c0.addingProduct(w, load8(bp)); c1 = c1.addingProduct(w, load8(bp + 8)); c2 = c2.addingProduct(w, load8(bp + 16))
                    bp += ldb
                }
                let cp = c + i * ldc + j, bv = bias(i), sv = slope(i)
                put(c0, bv, sv, cp); put(c1, bv, sv, cp + 8); put(c2, bv, sv, cp + 16)
                i += 1
            }
            j += 24
            finishColumns(upTo: j, force: false)
        }
        // 8-column panels; the last `n mod 8` columns as one more panel ending at column n (it
        // recomputes a few columns already written, from B, with the same result).
        @inline(__always) func panel8(_ j: Int) {
            let bj = b + j
            var i = 0
            while i < m4 {
                let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
                var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
                var bp = bj
                for p in 0..<k {
                    let x = load8(bp)
                    c0 = c0.addingProduct(SIMD8<Float>(repeating: a0[p]), x)
                    c1 = c1.addingProduct(SIMD8<Float>(repeating: a1[p]), x)
                    c2 = c2.addingProduct(SIMD8<Float>(repeating: a2[p]), x)
                    c3 = c3.addingProduct(SIMD8<Float>(repeating: a3[p]), x)
                    bp += ldb
                }
                let cp = c + i * ldc + j
                put(c0, bias(i), slope(i), cp)
                put(c1, bias(i + 1), slope(i + 1), cp + ldc)
                put(c2, bias(i + 2), slope(i + 2), cp + 2 * ldc)
                put(c3, bias(i + 3), slope(i + 3), cp + 3 * ldc)
                i += 4
            }
            while i < m {
                let ai = a + i * lda
                var c0 = SIMD8<Float>()
                var bp = bj
                for p in 0..<k {
                    c0 = c0.addingProduct(SIMD8<Float>(repeating: ai[p]), load8(bp))
                    bp += ldb
                }
                put(c0, bias(i), slope(i), c + i * ldc + j)
                i += 1
            }
        }
        while j < n8 {
            panel8(j)
            j += 8
        }
        finishColumns(upTo: j, force: true)
        if j < n && n >= 8 {
            panel8(n - 8)
            // The overlapping panel rewrote columns n-8..<j with biased values: finish them again.
            finished = Swift.min(finished, n - 8)
            finishColumns(upTo: n, force: true)
            return
        }
        // Fewer than 8 columns in all (a thread's or an im2col tile's short remainder): scalar.
        while j < n {
            for i in 0..<m {
                let ai = a + i * lda
                var s: Float = 0
                var bp = b + j
                for p in 0..<k {
                    s = s.addingProduct(ai[p], bp[0])
                    bp += ldb
                }
                c[i * ldc + j] = finishScalar(s, i, at: c + i * ldc + j)
            }
            j += 1
        }
        finishColumns(upTo: n, force: true)
    }
}
