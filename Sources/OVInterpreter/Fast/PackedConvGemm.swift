#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// SwiftPOT's own GEMM for convolutions whose inner dimension K = C_in/g·KH·KW is too large for
/// ``SmallGemm`` (3x3 convolutions with 32+ input channels, deep 1x1 convolutions, strided and
/// grouped ones), replacing im2col + OpenBLAS sgemm there (BLIS-style blocking; the loop structure
/// follows the classic GotoBLAS/BLIS papers, the column source is SwiftPOT's own).
///
/// `Y[co, pixel] = Σ_k W[co, k] · X[k, pixel]`, with the column matrix `X` never materialised:
/// - **Weights** are packed once per model (``PackedConvWeights``, cached by the convolution kernel)
///   in row panels of ``mr`` output channels: for each panel, K steps of `mr` consecutive values,
///   so the micro-kernel's broadcasts read one contiguous stream (rows past C_out are zero).
/// - **Columns** come from ``ColumnSource``: the NCHW input itself for 1x1 stride-1 unpadded
///   convolutions; otherwise one zero-padded copy of the input per run, split into stride phases,
///   on which every tap of every output pixel is `base + offset(tap) + pixel` on a grid slightly
///   wider than the output (`ow + (KW-1)·dw/sw`; the extra pixels are computed and dropped). So a
///   tap's row of 24 consecutive pixels is always one contiguous run: packing (``packColumns``)
///   is three SIMD8 copies per tap and panel, with no bounds checks and sequential reads.
/// - **Blocking**: columns in blocks of ``ncMax`` pixels (the workers' unit of work); K in blocks
///   of at most ``kcMax`` taps. Each `kc × 192` block of columns is packed once (L2) into panels
///   of `kc × 24` (L1), and every row panel of the weights multiplies each panel in turn. When the
///   grid is wider than the output, a block's products go to the worker's `C_out × 192` block
///   buffer, and its valid pixels to the output once the block's last K block is done (so no
///   buffer the size of the output is needed).
/// - **Micro-kernel** (``tile``): a 4 × 24 register tile, 12 SIMD8 accumulators, per step of k three
///   loads of the column panel and four weight broadcasts feeding 12 fused multiply-adds
///   (16 ymm registers, no spills: checked with `objdump -d`).
/// - **Sums**: the first K block starts the accumulators at zero, later blocks reload the partial
///   sums, so every output is one chain of fused multiply-adds over k in increasing order. The
///   epilogue (bias + PReLU of ``ConvEpilogue``) runs in registers after the last block when the
///   grid is the output, else on the copy out of the block buffer — the reference's expressions on
///   the same rounded sums, so fused and unfused runs are bit-identical.
enum PackedConvGemm {
    static let mr = 4
    static let nr = 24
    /// Taps per K block: a 24-wide panel of 160 taps is 15 KiB, half of L1 (32 KiB on Zen 3 /
    /// Skylake), leaving room for the weight stream and the output tile.
    static let kcMax = 160
    /// Weight bytes per K-block group kept L2-resident while the column panels stream past.
    static let l2WeightBytes = 256 * 1024

    /// Developer override (measurements only): `SWIFTPOT_CONV_GEMM=packed` forces this kernel for
    /// every convolution the GEMM kernel takes, `blas` disables it; unset = the measured choice.
    static let override: String? = ProcessInfo.processInfo.environment["SWIFTPOT_CONV_GEMM"]

    /// Whether this kernel (rather than ``SmallGemm`` or OpenBLAS) runs a convolution of this shape
    /// (`pointwise`: 1x1, stride 1, unpadded, whose columns ``SmallGemm`` reads in place).
    /// Measured on Zen 3 (docs/PERFORMANCE.md): every shape with K > 160 (OpenBLAS's im2col + packing
    /// cost more); below that, first convolutions (im2col) and 1x1 convolutions with K ≥ 32 when
    /// there are at least 32 output channels to amortise the column packing over (face_landmark's
    /// 32-128 channel 1x1s, palm's and ResNet-50's 5x5 / 7x7 stride-2 first convolutions); with
    /// fewer output channels or K < 32 ``SmallGemm`` without packing wins. Under 16 output pixels
    /// most of a 24-wide panel would be waste: OpenBLAS (or the SIMD dot products) keep those.
    static func claims(m: Int, n: Int, k: Int, pointwise: Bool) -> Bool {
        switch override {
        case "packed": return m >= 1 && n >= 1 && k >= 1
        case "blas": return false
        default: return n >= 16 && m >= 1 && (k > SmallGemm.maxK || (m >= 32 && (k >= 32 || !pointwise)))
        }
    }

    // MARK: - Weights

    /// Floats of packed weights for `groups` matrices of `m × k`.
    static func packedCount(groups: Int, m: Int, k: Int) -> Int { groups * ((m + mr - 1) / mr) * mr * k }

    /// Packs `groups` row-major `m × k` matrices (`w + grp·m·k`) into row panels: for each group and
    /// block of `mr` rows, `k` steps of `mr` values (rows past `m` are 0).
    static func packWeights(_ w: UnsafePointer<Float>, groups: Int, m: Int, k: Int, into dst: UnsafeMutablePointer<Float>) {
        let panels = (m + mr - 1) / mr
        var d = dst
        for grp in 0..<groups {
            let wg = w + grp * m * k
            for pb in 0..<panels {
                for p in 0..<k {
                    for r in 0..<mr {
                        let row = pb * mr + r
                        d[r] = row < m ? wg[row * k + p] : 0
                    }
                    d += mr
                }
            }
        }
    }

    // MARK: - Driver

    /// Output pixels per column block: a `kc × 192` block of packed columns is 120 KiB (L2).
    static let ncMax = 8 * nr

    /// Runs the convolution `g` on input `x` (all batches and groups) with weights packed by
    /// ``packWeights`` into `y`, applying `epilogue` to every output.
    static func run(g: ConvShape, x: UnsafePointer<Float>, packed: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                    epilogue: ConvEpilogue?, threads: Int, ctx: ExecutionContext) {
        let m = g.outPerGroup, k = g.inPerGroup * g.kh * g.kw, n = g.oh * g.ow
        let rowPanels = (m + mr - 1) / mr, mPad = rowPanels * mr
        let src = ColumnSource(g)
        // The GEMM's columns: output pixels on the source grid (rows of `gridWidth`, the pixels
        // past `ow` in each row computed and dropped), padded to whole panels.
        let gridN = g.oh * src.gridWidth
        let direct = src.gridWidth == g.ow
        let nPad = (gridN + nr - 1) / nr * nr
        // K blocks of (nearly) equal size, at most kcMax taps each.
        let kBlocks = (k + kcMax - 1) / kcMax
        let kc = (k + kBlocks - 1) / kBlocks
        let colBlocks = (nPad + ncMax - 1) / ncMax
        let workers = Swift.max(1, Swift.min(threads, colBlocks, m * n * k / 500_000))
        // Per worker: one block of packed columns, the edge tile, and (grid wider than the output)
        // the block's products for all output channels of the group.
        let perWorker = kc * ncMax + mr * nr + (direct ? 0 : mPad * ncMax)
        let scratch = ctx.scratch(slot: 0, byteCount: workers * perWorker * MemoryLayout<Float>.stride)
            .assumingMemoryBound(to: Float.self)
        let planes = src.pointwise ? nil
            : ctx.scratch(slot: 5, byteCount: src.planeFloats * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
        let offsets = src.tapOffsets()

        // Per-row epilogue values (bias, slope), padded to whole row panels (direct output only).
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(1, 2 * mPad * g.groups)) { ep in
            let biasAll = ep.baseAddress!, slopeAll = biasAll + mPad * g.groups
            let hasBias = epilogue != nil && direct, hasSlope = epilogue?.slope != nil && direct
            if let epilogue {
                let bp = epilogue.bias.pointer(Float.self)
                let sp = epilogue.slope?.pointer(Float.self)
                for grp in 0..<g.groups {
                    for r in 0..<mPad {
                        let ch = grp * m + Swift.min(r, m - 1)
                        biasAll[grp * mPad + r] = bp[ch]
                        slopeAll[grp * mPad + r] = sp.map { $0[ch * epilogue.slopeStride] } ?? 1
                    }
                }
            }
            offsets.withUnsafeBufferPointer { offsets in
                for b in 0..<g.batch {
                    for grp in 0..<g.groups {
                        let xg = x + (b * g.groups + grp) * g.inPerGroup * g.h * g.w
                        let yg = y + (b * g.groups + grp) * m * n
                        let ag = packed + grp * mPad * k
                        let biasG = UnsafePointer(biasAll + grp * mPad), slopeG = UnsafePointer(slopeAll + grp * mPad)
                        let base: UnsafePointer<Float>
                        if let planes {
                            src.fillPlanes(xg, planes)
                            base = UnsafePointer(planes)
                        } else {
                            base = xg
                        }
                        // The product goes straight to the output (grid = output pixels) or to the
                        // worker's block buffer (`ncMax` columns, the block's pixels from `j0`).
                        let ldc = direct ? n : ncMax
                        let cols = direct ? n : nPad
                        parallelFor(workers, threads: workers) { worker in
                            let bblock = scratch + worker * perWorker, tmp = bblock + kc * ncMax, blockOut = tmp + mr * nr
                            for cb in (colBlocks * worker / workers)..<(colBlocks * (worker + 1) / workers) {
                                let j0 = cb * ncMax, nc = Swift.min(ncMax, cols - j0)
                                if nc <= 0 { continue }
                                let out = direct ? yg : blockOut - j0
                                let panels = (nc + nr - 1) / nr
                                for blk in 0..<kBlocks {
                                    let k0 = blk * kc, kcb = Swift.min(kc, k - k0)
                                    packColumns(base, offsets: offsets.baseAddress! + k0, kc: kcb, j0: j0, count: nc,
                                                limit: direct ? n : gridN, into: bblock)
                                    let first = blk == 0, last = blk == kBlocks - 1
                                    for pn in 0..<panels {
                                        let jp = j0 + pn * nr, w = Swift.min(nr, cols - jp)
                                        let bp = UnsafePointer(bblock + pn * kcb * nr)
                                        for rp in 0..<rowPanels {
                                            let a = ag + (rp * k + k0) * mr
                                            let bias = last && hasBias ? biasG + rp * mr : nil
                                            let slope = last && hasSlope ? slopeG + rp * mr : nil
                                            let c = out + rp * mr * ldc + jp
                                            let rows = direct ? Swift.min(mr, m - rp * mr) : mr
                                            if rows == mr && w == nr {
                                                tile(kc: kcb, a: a, b: bp, c: c, ldc: ldc, load: !first, bias: bias, slope: slope)
                                            } else {
                                                // Edge tile of the direct output through a private 4 x 24 block.
                                                if !first {
                                                    for r in 0..<rows { (tmp + r * nr).update(from: c + r * ldc, count: w) }
                                                }
                                                tile(kc: kcb, a: a, b: bp, c: tmp, ldc: nr, load: !first, bias: bias, slope: slope)
                                                for r in 0..<rows { (c + r * ldc).update(from: tmp + r * nr, count: w) }
                                            }
                                        }
                                    }
                                }
                                if direct { continue }
                                // The block's valid pixels (grid columns below `ow`) to the output, then
                                // the epilogue (the reference's expressions on the same sums: identical
                                // to an unfused Add / PReLU).
                                let end = Swift.min(j0 + nc, gridN)
                                for co in 0..<m {
                                    let row = blockOut + co * ncMax - j0, yr = yg + co * n
                                    var q = j0
                                    while q < end {
                                        let gy = q / src.gridWidth, gx = q - gy * src.gridWidth
                                        let run = Swift.min(end - q, src.gridWidth - gx)
                                        if gx < g.ow {
                                            let dst = yr + gy * g.ow + gx, valid = Swift.min(run, g.ow - gx)
                                            dst.update(from: row + q, count: valid)
                                            epilogue?.apply(dst, count: valid, channel: grp * m + co)
                                        }
                                        q += run
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Micro-kernel

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
            @inline(__always) func finish(_ v: SIMD8<Float>, _ r: Int) -> SIMD8<Float> {
                let y = v + SIMD8<Float>(repeating: bias[r])
                guard let slope else { return y }
                return y.replacing(with: y * SIMD8<Float>(repeating: slope[r]), where: y .< 0)
            }
            c00 = finish(c00, 0); c01 = finish(c01, 0); c02 = finish(c02, 0)
            c10 = finish(c10, 1); c11 = finish(c11, 1); c12 = finish(c12, 1)
            c20 = finish(c20, 2); c21 = finish(c21, 2); c22 = finish(c22, 2)
            c30 = finish(c30, 3); c31 = finish(c31, 3); c32 = finish(c32, 3)
        }
        store8(c00, c0p); store8(c01, c0p + 8); store8(c02, c0p + 16)
        store8(c10, c1p); store8(c11, c1p + 8); store8(c12, c1p + 16)
        store8(c20, c2p); store8(c21, c2p + 8); store8(c22, c2p + 16)
        store8(c30, c3p); store8(c31, c3p + 8); store8(c32, c3p + 16)
    }

    // MARK: - Column panels

    /// Copies rows `offsets[0..<kc]` (each the start of one tap's row of the column matrix in
    /// `base`) for columns `j0..<j0+count` into `count / 24` panels of `kc × 24` at `dst`.
    /// Columns at or past `limit` read as 0 (the last panel's padding).
    static func packColumns(_ base: UnsafePointer<Float>, offsets: UnsafePointer<Int>, kc: Int, j0: Int, count: Int,
                            limit: Int, into dst: UnsafeMutablePointer<Float>) {
        let full = Swift.max(0, Swift.min(count, limit - j0)) / nr
        let panels = (count + nr - 1) / nr
        for p in 0..<kc {
            var s = base + offsets[p] + j0
            var d = dst + p * nr
            for _ in 0..<full {
                store8(load8(s), d); store8(load8(s + 8), d + 8); store8(load8(s + 16), d + 16)
                s += nr
                d += kc * nr
            }
            if full < panels {
                // The panel holding `limit`: valid columns then zeros.
                let valid = Swift.max(0, Swift.min(nr, limit - (j0 + full * nr)))
                for i in 0..<nr { d[i] = i < valid ? s[i] : 0 }
                for t in (full + 1)..<panels { (dst + t * kc * nr + p * nr).update(repeating: 0, count: nr) }
            }
        }
    }

    /// Where the GEMM's columns come from: the input planes themselves (1x1, stride 1, no
    /// padding), or zero-padded copies split into stride phases so that every tap of every
    /// output pixel is `plane + offset(tap) + pixel` on a grid of `gridWidth` columns: tap
    /// `(ki, kj)` of output `(oy, ox)` reads padded row `oy·sh + ki·dh`, which is row `oy + ki·dh / sh`
    /// of phase `ki·dh mod sh` (columns likewise). Stride-1 convolutions have one phase (the
    /// padded plane); the grid is `ow + (KW - 1)·dw / sw` wide, and the extra columns are computed
    /// and dropped.
    struct ColumnSource {
        let g: ConvShape
        let pointwise: Bool
        let gridWidth: Int, gridHeight: Int
        /// Phase plane index by (row phase, column phase), -1 when no tap uses it.
        let phaseIndex: [Int]
        let phases: Int
        /// Floats of all phase planes of one group's channels, plus slack read by the dropped columns.
        var planeFloats: Int { g.inPerGroup * phases * gridHeight * gridWidth + 2 * nr + gridWidth }

        init(_ g: ConvShape) {
            self.g = g
            pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && g.oh == g.h && g.ow == g.w
            if pointwise {
                gridWidth = g.w; gridHeight = g.h
                phaseIndex = [0]; phases = 1
                return
            }
            gridWidth = g.ow + (g.kw - 1) * g.dw / g.sw
            gridHeight = g.oh + (g.kh - 1) * g.dh / g.sh
            var index = Array(repeating: -1, count: g.sh * g.sw)
            var count = 0
            for ki in 0..<g.kh {
                for kj in 0..<g.kw {
                    let ph = (ki * g.dh % g.sh) * g.sw + kj * g.dw % g.sw
                    if index[ph] < 0 { index[ph] = count; count += 1 }
                }
            }
            phaseIndex = index; phases = count
        }

        /// The start of each tap's column row, relative to the source base, in K order (c, ki, kj).
        func tapOffsets() -> [Int] {
            let hw = gridHeight * gridWidth
            var out: [Int] = []
            out.reserveCapacity(g.inPerGroup * g.kh * g.kw)
            for c in 0..<g.inPerGroup {
                for ki in 0..<g.kh {
                    for kj in 0..<g.kw {
                        if pointwise { out.append(c * hw); continue }
                        let ph = phaseIndex[(ki * g.dh % g.sh) * g.sw + kj * g.dw % g.sw]
                        out.append((c * phases + ph) * hw + (ki * g.dh / g.sh) * gridWidth + kj * g.dw / g.sw)
                    }
                }
            }
            return out
        }

        /// Fills the phase planes of one group's input channels (`x`, NCHW) into `dst`.
        func fillPlanes(_ x: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
            let hw = gridHeight * gridWidth
            for ry in 0..<g.sh {
                for rx in 0..<g.sw {
                    let ph = phaseIndex[ry * g.sw + rx]
                    if ph < 0 { continue }
                    // Grid column u reads input column u·sw + rx - pw; those inside the row:
                    let u0 = Swift.max(0, ceilDiv(g.pw - rx, g.sw))
                    let u1 = Swift.max(u0, Swift.min(gridWidth, floorDiv(g.w - 1 + g.pw - rx, g.sw) + 1))
                    for c in 0..<g.inPerGroup {
                        let plane = dst + (c * phases + ph) * hw, xc = x + c * g.h * g.w
                        for v in 0..<gridHeight {
                            let row = plane + v * gridWidth
                            let iy = v * g.sh + ry - g.ph
                            if iy < 0 || iy >= g.h || u0 >= u1 {
                                row.update(repeating: 0, count: gridWidth)
                                continue
                            }
                            if u0 > 0 { row.update(repeating: 0, count: u0) }
                            let xr = xc + iy * g.w + (u0 * g.sw + rx - g.pw)
                            if g.sw == 1 {
                                (row + u0).update(from: xr, count: u1 - u0)
                            } else {
                                for u in 0..<(u1 - u0) { row[u0 + u] = xr[u &* g.sw] }
                            }
                            if u1 < gridWidth { (row + u1).update(repeating: 0, count: gridWidth - u1) }
                        }
                    }
                }
            }
            // Slack after the last plane, read only by dropped columns: zeros (no NaN/denormal garbage).
            (dst + g.inPerGroup * phases * hw).update(repeating: 0, count: 2 * nr + gridWidth)
        }
    }
}

/// Weights packed for ``PackedConvGemm``, cached by a convolution kernel across runs: packed on the
/// first run that sees a weight buffer and reused while the same (immutable) buffer comes back.
/// Weights computed at run time (an arena region rewritten every run) are packed per run instead.
/// Constant weights that only this convolution reads are packed when the model is compiled
/// (``prepack(_:groups:m:k:)``), and the packed copy replaces them.
final class PackedConvWeights: @unchecked Sendable {
    private let lock = PlainLock()
    private var source: TensorBuffer?
    private var packed: TensorBuffer?

    /// Packed weights for `w` (`groups × m × k`): the cached copy when `w`'s buffer is the one packed
    /// before, else packed now (into the cache for constant buffers, into scratch for arena ones).
    func get(_ w: Tensor, groups: Int, m: Int, k: Int, ctx: ExecutionContext) -> UnsafePointer<Float> {
        let count = PackedConvGemm.packedCount(groups: groups, m: m, k: k)
        let buffer = w.buffer
        if buffer.isArenaRegion {
            let dst = ctx.scratch(slot: 4, byteCount: count * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
            PackedConvGemm.packWeights(UnsafePointer(w.pointer(Float.self)), groups: groups, m: m, k: k, into: dst)
            return UnsafePointer(dst)
        }
        lock.lock()
        defer { lock.unlock() }
        if let source, source === buffer, let packed { return UnsafePointer(packed.bytes.assumingMemoryBound(to: Float.self)) }
        let p = TensorBuffer(uninitializedByteCount: count * MemoryLayout<Float>.stride)
        let dst = p.bytes.assumingMemoryBound(to: Float.self)
        PackedConvGemm.packWeights(UnsafePointer(w.pointer(Float.self)), groups: groups, m: m, k: k, into: dst)
        // Runs read the packed copy from now on: the mapped weight pages leave memory (refaulted if read).
        buffer.releaseMappedPages()
        source = buffer
        packed = p
        return UnsafePointer(dst)
    }

    /// Packs constant weights `w` (`groups × m × k`) when compiling and returns their stand-in: a
    /// tensor of `w`'s type and shape whose buffer is the packed copy (`get` recognises it), to
    /// take `w`'s place when this convolution is its only reader. Only ``get`` may read the
    /// stand-in's bytes; ``unpacked(shape:groups:m:k:)`` gives the weights back for anyone else.
    func prepack(_ w: Tensor, groups: Int, m: Int, k: Int) -> Tensor {
        let p = TensorBuffer(uninitializedByteCount: PackedConvGemm.packedCount(groups: groups, m: m, k: k) * MemoryLayout<Float>.stride)
        PackedConvGemm.packWeights(UnsafePointer(w.pointer(Float.self)), groups: groups, m: m, k: k,
                                   into: p.bytes.assumingMemoryBound(to: Float.self))
        w.buffer.releaseMappedPages()
        lock.lock()
        defer { lock.unlock() }
        source = p
        packed = p
        return Tensor(elementType: .f32, shape: w.shape, buffer: p)
    }

    /// The weights (`groups × m × k`, of shape `shape`) unpacked from the copy ``prepack(_:groups:m:k:)`` made.
    func unpacked(shape: [Int], groups: Int, m: Int, k: Int) -> Tensor {
        lock.lock()
        let p = packed!
        lock.unlock()
        let t = Tensor(uninitialized: .f32, shape: shape)
        let src = UnsafePointer(p.bytes.assumingMemoryBound(to: Float.self)), dst = t.pointer(Float.self)
        let mr = PackedConvGemm.mr, panels = (m + mr - 1) / mr
        for grp in 0..<groups {
            let sg = src + grp * panels * mr * k, dg = dst + grp * m * k
            for row in 0..<m {
                let panel = sg + (row / mr) * mr * k, r = row % mr
                for p in 0..<k { dg[row * k + p] = panel[p * mr + r] }
            }
        }
        return t
    }
}
