/// ``PackedConvGemm``'s register tiles and their epilogue (see the type's documentation).
extension PackedConvGemm {
    /// `C[0..<4, 0..<24] (+)= A-panel · B-panel` over `kc` steps; `a` holds 4 values per step, `b`
    /// 24. With `load` the accumulators start from `C` (a later K block), else from 0. `bias` /
    /// `slope` (4 values each, per row) apply `y + bias`, then `y < 0 ? y · slope : y`, before the store.
    @inline(never)
    static func tile(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                     load: Bool, bias: UnsafePointer<Float>?, slope: UnsafePointer<Float>?) {
        let c0p = c, c1p = c + ldc, c2p = c + 2 * ldc, c3p = c + 3 * ldc
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c32 = SIMD8<Float>()
        if load {
            c00 = load8(c0p); c01 = load8(c0p + 8); c02 = load8(c0p + 16)
            c10 = load8(c1p); c11 = load8(c1p + 8); c12 = load8(c1p + 16)
            c20 = load8(c2p); c21 = load8(c2p + 8); c22 = load8(c2p + 16)
            c30 = load8(c3p); c31 = load8(c3p + 8); c32 = load8(c3p + 16)
        }
        var ap = a, bp = b
        for _ in 0..<kc {
            let x0 = load8(bp), x1 = load8(bp + 8), x2 = load8(bp + 16)
            let w0 = SIMD8<Float>(repeating: ap[0]), w1 = SIMD8<Float>(repeating: ap[1])
            c00 = c00.addingProduct(w0, x0); c01 = c01.addingProduct(w0, x1); c02 = c02.addingProduct(w0, x2)
            c10 = c10.addingProduct(w1, x0); c11 = c11.addingProduct(w1, x1); c12 = c12.addingProduct(w1, x2)
            let w2 = SIMD8<Float>(repeating: ap[2]), w3 = SIMD8<Float>(repeating: ap[3])
            c20 = c20.addingProduct(w2, x0); c21 = c21.addingProduct(w2, x1); c22 = c22.addingProduct(w2, x2)
            c30 = c30.addingProduct(w3, x0); c31 = c31.addingProduct(w3, x1); c32 = c32.addingProduct(w3, x2)
            ap += mr
            bp += nr
        }
        if let bias {
            c00 = finish(c00, bias, slope, 0); c01 = finish(c01, bias, slope, 0); c02 = finish(c02, bias, slope, 0)
            c10 = finish(c10, bias, slope, 1); c11 = finish(c11, bias, slope, 1); c12 = finish(c12, bias, slope, 1)
            c20 = finish(c20, bias, slope, 2); c21 = finish(c21, bias, slope, 2); c22 = finish(c22, bias, slope, 2)
            c30 = finish(c30, bias, slope, 3); c31 = finish(c31, bias, slope, 3); c32 = finish(c32, bias, slope, 3)
        }
        store8(c00, c0p); store8(c01, c0p + 8); store8(c02, c0p + 16)
        store8(c10, c1p); store8(c11, c1p + 8); store8(c12, c1p + 16)
        store8(c20, c2p); store8(c21, c2p + 8); store8(c22, c2p + 16)
        store8(c30, c3p); store8(c31, c3p + 8); store8(c32, c3p + 16)
    }

    /// `C[0..<12, 0..<8] (+)= A · B-panel` over `kc` steps for an 8-wide column panel: three
    /// consecutive weight row panels (`a`, `a + aStride`, `a + 2·aStride`, 4 values per step each),
    /// 12 SIMD8 accumulators (14 ymm registers with the column load and one broadcast), so the
    /// narrow last panel of a plane runs at the 4 x 24 tile's rate. Epilogue as ``tile``.
    @inline(never)
    static func tile12x8(kc: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                         ldc: Int, load: Bool, bias: UnsafePointer<Float>?, slope: UnsafePointer<Float>?) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
        var c4 = SIMD8<Float>(), c5 = SIMD8<Float>(), c6 = SIMD8<Float>(), c7 = SIMD8<Float>()
        var c8 = SIMD8<Float>(), c9 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        if load {
            c0 = load8(c); c1 = load8(c + ldc); c2 = load8(c + 2 * ldc); c3 = load8(c + 3 * ldc)
            c4 = load8(c + 4 * ldc); c5 = load8(c + 5 * ldc); c6 = load8(c + 6 * ldc); c7 = load8(c + 7 * ldc)
            c8 = load8(c + 8 * ldc); c9 = load8(c + 9 * ldc); c10 = load8(c + 10 * ldc); c11 = load8(c + 11 * ldc)
        }
        var a0 = a, a1 = a + aStride, a2 = a + 2 * aStride, bp = b
        for _ in 0..<kc {
            let x = load8(bp)
            c0 = c0.addingProduct(SIMD8(repeating: a0[0]), x); c1 = c1.addingProduct(SIMD8(repeating: a0[1]), x)
            c2 = c2.addingProduct(SIMD8(repeating: a0[2]), x); c3 = c3.addingProduct(SIMD8(repeating: a0[3]), x)
            c4 = c4.addingProduct(SIMD8(repeating: a1[0]), x); c5 = c5.addingProduct(SIMD8(repeating: a1[1]), x)
            c6 = c6.addingProduct(SIMD8(repeating: a1[2]), x); c7 = c7.addingProduct(SIMD8(repeating: a1[3]), x)
            c8 = c8.addingProduct(SIMD8(repeating: a2[0]), x); c9 = c9.addingProduct(SIMD8(repeating: a2[1]), x)
            c10 = c10.addingProduct(SIMD8(repeating: a2[2]), x); c11 = c11.addingProduct(SIMD8(repeating: a2[3]), x)
            a0 += mr; a1 += mr; a2 += mr
            bp += 8
        }
        if let bias {
            c0 = finish(c0, bias, slope, 0); c1 = finish(c1, bias, slope, 1); c2 = finish(c2, bias, slope, 2)
            c3 = finish(c3, bias, slope, 3); c4 = finish(c4, bias, slope, 4); c5 = finish(c5, bias, slope, 5)
            c6 = finish(c6, bias, slope, 6); c7 = finish(c7, bias, slope, 7); c8 = finish(c8, bias, slope, 8)
            c9 = finish(c9, bias, slope, 9); c10 = finish(c10, bias, slope, 10); c11 = finish(c11, bias, slope, 11)
        }
        store8(c0, c); store8(c1, c + ldc); store8(c2, c + 2 * ldc); store8(c3, c + 3 * ldc)
        store8(c4, c + 4 * ldc); store8(c5, c + 5 * ldc); store8(c6, c + 6 * ldc); store8(c7, c + 7 * ldc)
        store8(c8, c + 8 * ldc); store8(c9, c + 9 * ldc); store8(c10, c + 10 * ldc); store8(c11, c + 11 * ldc)
    }

    /// `C[0..<4, 0..<8] (+)= A-panel · B-panel`: the row panels an 8-wide panel has left after the
    /// 12 x 8 tiles (four FMA chains: latency-bound, but at most two such tiles per panel).
    @inline(never)
    static func tile4x8(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                        load: Bool, bias: UnsafePointer<Float>?, slope: UnsafePointer<Float>?) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
        if load { c0 = load8(c); c1 = load8(c + ldc); c2 = load8(c + 2 * ldc); c3 = load8(c + 3 * ldc) }
        var ap = a, bp = b
        for _ in 0..<kc {
            let x = load8(bp)
            c0 = c0.addingProduct(SIMD8(repeating: ap[0]), x); c1 = c1.addingProduct(SIMD8(repeating: ap[1]), x)
            c2 = c2.addingProduct(SIMD8(repeating: ap[2]), x); c3 = c3.addingProduct(SIMD8(repeating: ap[3]), x)
            ap += mr
            bp += 8
        }
        if let bias {
            c0 = finish(c0, bias, slope, 0); c1 = finish(c1, bias, slope, 1)
            c2 = finish(c2, bias, slope, 2); c3 = finish(c3, bias, slope, 3)
        }
        store8(c0, c); store8(c1, c + ldc); store8(c2, c + 2 * ldc); store8(c3, c + 3 * ldc)
    }

    /// The fused epilogue of row `r`: `y + bias[r]`, then `y < 0 ? y · slope[r] : y` (PReLU) — the
    /// unfused Add's and PReLU's expressions.
    @inline(__always)
    static func finish(_ v: SIMD8<Float>, _ bias: UnsafePointer<Float>, _ slope: UnsafePointer<Float>?, _ r: Int) -> SIMD8<Float> {
        let y = v + SIMD8<Float>(repeating: bias[r])
        guard let slope else { return y }
        return y.replacing(with: y * SIMD8<Float>(repeating: slope[r]), where: y .< 0)
    }
}
