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
///   by K block, in row panels of ``mr`` output channels: for each panel, the block's K steps of
///   `mr` consecutive values, so the micro-kernel's broadcasts read one contiguous stream (rows past
///   C_out are zero).
/// - **Columns** come from ``ColumnSource``: the NCHW input itself for 1x1 stride-1 unpadded
///   convolutions; otherwise a zero-padded copy of the input split into stride phases, on which
///   every tap of output pixel `(oy, ox)` is `base + offset(tap) + oy·gridWidth + ox` (the grid is
///   `ow + (KW-1)·dw/sw` wide; 3-D convolutions add the depth, `oz·gridHeight·gridWidth`). 2-D
///   convolutions make the copy in bands of output rows: only the grid rows a band of column
///   blocks reads (≤ ``bandBytes`` when a block allows), refilled per band, so the scratch no
///   longer grows with the input (3-D ones copy the whole grid). The GEMM's columns are exactly the output pixels: packing
///   (``packColumns``) copies each panel's run of pixels within one output row as one contiguous
///   run per tap (SIMD8 copies, no bounds checks), and the product is stored straight into the output.
/// - **Blocking**: columns in panels of 24 (``ColumnPanels``; the last `n mod 24` ≤ 16 columns in
///   8-wide panels), in blocks of up to 8 panels (the workers' unit of work); K in blocks of at most
///   ``kcMax`` taps. Each `kc × 192` block of columns is packed once (L2) into panels of `kc × 24`
///   (L1), and every row panel of the weights multiplies each panel in turn.
/// - **Micro-kernels**: ``tile``, a 4 × 24 register tile, 12 SIMD8 accumulators, per step of k three
///   loads of the column panel and four weight broadcasts feeding 12 fused multiply-adds
///   (16 ymm registers, no spills: checked with `objdump -d`); ``tile12x8`` for the 8-wide panels
///   (three weight row panels, one column load and 12 broadcasts per 12 FMAs).
/// - **Sums**: the first K block starts the accumulators at zero, later blocks reload the partial
///   sums, so every output is one chain of fused multiply-adds over k in increasing order whatever
///   the tile. The epilogue (bias + PReLU of ``ConvEpilogue``) runs in registers after the last
///   block — the reference's expressions on the same rounded sums, so fused and unfused runs are
///   bit-identical.
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
    /// fewer output channels or K < 32 ``SmallGemm`` without packing wins. Small planes (2-15 output
    /// pixels, e.g. face_landmark's 1x1 convolutions on 3x3) take it too, in 8-wide panels: as fast
    /// as OpenBLAS there, and a model whose convolutions all avoid OpenBLAS never loads it (2.2 MiB
    /// resident with its Fortran runtime). Single pixels stay SIMD dot products.
    static func claims(m: Int, n: Int, k: Int, pointwise: Bool) -> Bool {
        switch override {
        case "packed": return m >= 1 && n >= 1 && k >= 1
        case "blas": return false
        default: return n >= 2 && m >= 1 && (k > SmallGemm.maxK || (m >= 32 && (k >= 32 || !pointwise)))
        }
    }

    // MARK: - Weights

    /// Floats of packed weights for `groups` matrices of `m × k`.
    static func packedCount(groups: Int, m: Int, k: Int) -> Int { groups * ((m + mr - 1) / mr) * mr * k }

    /// K blocks of (nearly) equal size, at most ``kcMax`` taps each: (count, taps per block but the last).
    static func kBlocking(_ k: Int) -> (blocks: Int, kc: Int) {
        let blocks = Swift.max(1, (k + kcMax - 1) / kcMax)
        return (blocks, (k + blocks - 1) / blocks)
    }

    /// Packs `groups` row-major `m × k` matrices (`w + grp·m·k`) into row panels, K block by K block
    /// (``kBlocking(_:)``): for each group and K block, each block of `mr` rows as the block's taps in
    /// order, `mr` values per tap (rows past `m` are 0). A K block's weights are one contiguous run,
    /// which the kernel streams row panel after row panel (sequential for the hardware prefetcher:
    /// with panels spanning all of K, each 2.5 KiB tile's weights started a new stream).
    static func packWeights(_ w: UnsafePointer<Float>, groups: Int, m: Int, k: Int, into dst: UnsafeMutablePointer<Float>) {
        let panels = (m + mr - 1) / mr
        let (blocks, kc) = kBlocking(k)
        var d = dst
        for grp in 0..<groups {
            let wg = w + grp * m * k
            for blk in 0..<blocks {
                let k0 = blk * kc, k1 = Swift.min(k, k0 + kc)
                for pb in 0..<panels {
                    for p in k0..<k1 {
                        for r in 0..<mr {
                            let row = pb * mr + r
                            d[r] = row < m ? wg[row * k + p] : 0
                        }
                        d += mr
                    }
                }
            }
        }
    }

    /// The inverse of ``packWeights(_:groups:m:k:into:)``: the `groups` row-major `m × k` matrices
    /// back from their packed copy `src`.
    static func unpackWeights(_ src: UnsafePointer<Float>, groups: Int, m: Int, k: Int, into dst: UnsafeMutablePointer<Float>) {
        let mPad = (m + mr - 1) / mr * mr
        let (blocks, kc) = kBlocking(k)
        for grp in 0..<groups {
            let sg = src + grp * mPad * k, dg = dst + grp * m * k
            for blk in 0..<blocks {
                let k0 = blk * kc, kcb = Swift.min(kc, k - k0)
                for row in 0..<m {
                    let panel = sg + k0 * mPad + (row / mr) * kcb * mr, r = row % mr
                    for p in 0..<kcb { dg[row * k + k0 + p] = panel[p * mr + r] }
                }
            }
        }
    }

    // MARK: - Driver

    /// Output pixels per column block (at most 8 panels): a `kc × 192` block of packed columns is
    /// 120 KiB (L2).
    static let ncMax = 8 * nr

    /// The GEMM's columns — the output pixels, `n` of them, in NCHW order — cut into panels: `n / 24`
    /// panels of 24, then the rest as one 24-wide panel when more than 16 columns remain, else as one
    /// or two 8-wide panels (for the 12 x 8 tile), so no panel is mostly padding: ResNet's 14 x 14
    /// planes (196 = 8·24 + 4) compute 200 columns, 7 x 7 ones (49 = 2·24 + 1) 56.
    struct ColumnPanels {
        let n: Int
        /// 24-wide panels (the last one padded when `n mod 24` > 16), then 8-wide ones.
        let wide: Int, narrow: Int
        init(n: Int) {
            self.n = n
            let r = n % nr
            wide = n / nr + (r > 16 ? 1 : 0)
            narrow = r > 16 ? 0 : (r + 7) / 8
        }
        var count: Int { wide + narrow }
        func start(_ p: Int) -> Int { p < wide ? p * nr : wide * nr + (p - wide) * 8 }
        func width(_ p: Int) -> Int { p < wide ? nr : 8 }
    }

    /// Runs the convolution `g` on input `x` (all batches and groups) with weights packed by
    /// ``packWeights`` into `y`, applying `epilogue` (bias + PReLU) to every output in registers.
    /// `tail` (ops after the bias: ``EpilogueTail``) finishes each block of columns, all output
    /// channels, right after its last K block, while the block is in cache.
    static func run(g: ConvShape, x: UnsafePointer<Float>, packed: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                    epilogue: ConvEpilogue?, tail: ConvEpilogue? = nil, threads: Int, ctx: ExecutionContext,
                    bandBytes: Int = PackedConvGemm.bandBytes) {
        let lay = Layout(g, threads: threads, bandBytes: bandBytes)
        let m = lay.m, k = lay.k, n = lay.n, rowPanels = lay.rowPanels, mPad = lay.mPad
        let src = lay.src, panels = lay.panels, kBlocks = lay.kBlocks, kc = lay.kc
        let colBlocks = lay.colBlocks, perBlock = lay.perBlock, workers = lay.workers, perWorker = lay.perWorker
        let rowsOuter = lay.rowsOuter
        let scratch = ctx.scratch(slot: 0, byteCount: workers * perWorker * MemoryLayout<Float>.stride)
            .assumingMemoryBound(to: Float.self)
        let planes = src.pointwise ? nil
            : ctx.scratch(slot: 5, byteCount: src.planeFloats * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
        let offsets = src.tapOffsets()
        let tailOps = tail?.tail

        // Per-row epilogue values (bias, slope), padded to whole row panels.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(1, 2 * mPad * g.groups)) { ep in
            let biasAll = ep.baseAddress!, slopeAll = biasAll + mPad * g.groups
            let hasBias = epilogue?.bias != nil, hasSlope = hasBias && epilogue?.slope != nil
            if let epilogue, let bp = epilogue.bias?.pointer(Float.self) {
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
                        let xg = x + (b * g.groups + grp) * g.inPerGroup * g.inPlane
                        let yg = y + (b * g.groups + grp) * m * n
                        let ag = packed + grp * mPad * k
                        let biasG = UnsafePointer(biasAll + grp * mPad), slopeG = UnsafePointer(slopeAll + grp * mPad)
                        // Bands of column blocks: the grid rows a band's output rows read are filled
                        // (all channels and phases) into `planes`, then the band's blocks are computed.
                        var cb0 = 0
                        while cb0 < colBlocks {
                        let base: UnsafePointer<Float>, band: Range<Int>, rowOrigin: Int
                        if let planes, src.banded {
                            var cb1 = cb0 + 1
                            while cb1 < colBlocks && lay.gridRows(cb0..<(cb1 + 1)).count <= src.bandRows { cb1 += 1 }
                            let rows = lay.gridRows(cb0..<cb1)
                            src.fillPlanes(xg, planes, rows: rows)
                            base = UnsafePointer(planes)
                            band = cb0..<cb1
                            rowOrigin = rows.lowerBound
                        } else if let planes {
                            src.fillPlanes(xg, planes, rows: 0..<src.gridHeight)
                            base = UnsafePointer(planes)
                            band = 0..<colBlocks
                            rowOrigin = 0
                        } else {
                            base = xg
                            band = 0..<colBlocks
                            rowOrigin = 0
                        }
                        cb0 = band.upperBound
                        let bandWorkers = Swift.min(workers, band.count)
                        parallelFor(bandWorkers, threads: bandWorkers) { worker in
                            let bblock = scratch + worker * perWorker, tmp = bblock + kc * ncMax, stage = tmp + mr * nr
                            for cb in (band.lowerBound + band.count * worker / bandWorkers)..<(band.lowerBound + band.count * (worker + 1) / bandWorkers) {
                                let p0 = cb * perBlock, p1 = Swift.min(panels.count, p0 + perBlock)
                                for blk in 0..<kBlocks {
                                    let k0 = blk * kc, kcb = Swift.min(kc, k - k0)
                                    packColumns(base, offsets: offsets.baseAddress! + k0, kc: kcb, panels: panels, p0: p0, p1: p1,
                                                oh: g.oh, ow: g.ow, gridHeight: src.gridHeight, gridWidth: src.gridWidth,
                                                rowOrigin: rowOrigin, into: bblock)
                                    let first = blk == 0, last = blk == kBlocks - 1
                                    // Row panels `rp0..<rp0+3` times panel `p`: 4 x 24 tiles on 24-wide
                                    // panels, one 12 x 8 tile (4 x 8 for the last one or two row panels)
                                    // on 8-wide ones.
                                    func multiply(_ p: Int, _ rp0: Int) {
                                        let jp = panels.start(p), w = panels.width(p), cols = Swift.min(w, n - jp)
                                        let bp = UnsafePointer(bblock + (jp - panels.start(p0)) * kcb)
                                        // The 8-wide panels and a padded last panel accumulate in the
                                        // staging block (whole tiles over all K blocks), copied out at the end.
                                        let staged = w == 8 || cols < w
                                        let soff = w == 8 ? (p - panels.wide) * 8 : 0
                                        var rp = rp0
                                        while rp < Swift.min(rp0 + 3, rowPanels) {
                                            let triple = w == 8 && rp + 3 <= rowPanels
                                            let tileRows = triple ? 3 * mr : mr
                                            let a = ag + k0 * mPad + rp * kcb * mr
                                            let bias = last && hasBias ? biasG + rp * mr : nil
                                            let slope = last && hasSlope ? slopeG + rp * mr : nil
                                            let c = staged ? stage + rp * mr * nr + soff : yg + rp * mr * n + jp
                                            let rows = Swift.min(tileRows, m - rp * mr)
                                            let full = staged || rows == tileRows
                                            // Edge tiles (a partial row panel) go through a private 4 x 24 block.
                                            let cc = full ? c : tmp, ldc = full ? (staged ? nr : n) : w
                                            if !full && !first {
                                                for r in 0..<rows { (tmp + r * w).update(from: c + r * n, count: cols) }
                                            }
                                            if w == nr {
                                                tile(kc: kcb, a: a, b: bp, c: cc, ldc: ldc, load: !first, bias: bias, slope: slope)
                                            } else if triple {
                                                tile12x8(kc: kcb, a: a, aStride: kcb * mr, b: bp, c: cc, ldc: ldc, load: !first, bias: bias, slope: slope)
                                            } else {
                                                tile4x8(kc: kcb, a: a, b: bp, c: cc, ldc: ldc, load: !first, bias: bias, slope: slope)
                                            }
                                            if !full {
                                                for r in 0..<rows { (c + r * n).update(from: tmp + r * w, count: cols) }
                                            }
                                            rp += triple ? 3 : 1
                                        }
                                    }
                                    if rowsOuter {
                                        for rp0 in stride(from: 0, to: rowPanels, by: 3) { for p in p0..<p1 { multiply(p, rp0) } }
                                    } else {
                                        for p in p0..<p1 { for rp0 in stride(from: 0, to: rowPanels, by: 3) { multiply(p, rp0) } }
                                    }
                                    guard last else { continue }
                                    for p in p0..<p1 {
                                        let jp = panels.start(p), w = panels.width(p), cols = Swift.min(w, n - jp)
                                        guard w == 8 || cols < w else { continue }
                                        let soff = w == 8 ? (p - panels.wide) * 8 : 0
                                        for r in 0..<m {
                                            let sr = stage + r * nr + soff, yr = yg + r * n + jp
                                            for j in 0..<cols { yr[j] = sr[j] }
                                        }
                                    }
                                    if let tail, let tailOps {
                                        let c0 = panels.start(p0), c1 = Swift.min(n, panels.start(p1 - 1) + panels.width(p1 - 1))
                                        for r in 0..<m {
                                            tailOps.finishRow(yg + r * n + c0, count: c1 - c0, channel: tail.tailConstants(channel: grp * m + r))
                                        }
                                    }
                                }
                            }
                        }
                        }
                    }
                }
            }
        }
    }

    /// The blocking of one convolution: panels, K blocks, column blocks, workers and their scratch,
    /// fixed by the shapes and the thread count (so known when the model is compiled).
    struct Layout {
        let m: Int, k: Int, n: Int, rowPanels: Int, mPad: Int
        let src: ColumnSource
        let panels: ColumnPanels
        let kBlocks: Int, kc: Int
        /// Blocks of at most 8 panels, of (nearly) equal size so that workers get equal shares.
        let colBlocks: Int, perBlock: Int
        let workers: Int
        /// Floats per worker: the packed column block, a 4 x 24 edge tile, and the staging block of
        /// the last panels (8-wide or padded, `mPad × 24`).
        let perWorker: Int
        /// Panel by panel, each panel (L1) meets every row panel of the weights' K block (L2). When
        /// that K block is too large for L2 (512+ output channels), row panels go outside instead:
        /// each weight panel (L1) meets the block's panels (L2), and the weights stream once per K block.
        let rowsOuter: Bool

        init(_ g: ConvShape, threads: Int, bandBytes: Int = PackedConvGemm.bandBytes) {
            m = g.outPerGroup; k = g.inPerGroup * g.taps; n = g.outPixels
            rowPanels = (m + mr - 1) / mr; mPad = rowPanels * mr
            panels = ColumnPanels(n: n)
            (kBlocks, kc) = kBlocking(k)
            colBlocks = (panels.count + ncMax / nr - 1) / (ncMax / nr)
            perBlock = Swift.max(1, (panels.count + colBlocks - 1) / Swift.max(1, colBlocks))
            workers = Swift.max(1, Swift.min(threads, colBlocks, m * n * k / 500_000))
            perWorker = kc * ncMax + mr * nr + mPad * nr
            rowsOuter = mPad * kc * MemoryLayout<Float>.stride > l2WeightBytes
            var src = ColumnSource(g)
            if src.banded {
                // A band holds at least `workers` consecutive column blocks (any of them), else
                // as many grid rows as fit in `bandBytes`, at most the whole grid.
                var need = 1
                for cb in 0..<colBlocks {
                    let rows = Self.gridRows(cb..<Swift.min(colBlocks, cb + workers), panels: panels, perBlock: perBlock,
                                             ow: g.ow, halo: src.halo)
                    need = Swift.max(need, rows.count)
                }
                let rowFloats = g.inPerGroup * src.phases * src.gridWidth
                let budget = bandBytes / MemoryLayout<Float>.stride / Swift.max(1, rowFloats)
                src.bandRows = Swift.min(src.gridHeight, Swift.max(need, budget))
            }
            self.src = src
        }

        /// Bytes of scratch ``PackedConvGemm/run`` takes: slot 0 (the workers' blocks) and slot 5
        /// (the band of padded planes), each rounded up to 64 bytes.
        var scratchBytes: Int {
            let a = ExecutionContext.aligned(workers * perWorker * MemoryLayout<Float>.stride)
            return src.pointwise ? a : a + ExecutionContext.aligned(src.planeFloats * MemoryLayout<Float>.stride)
        }

        /// The grid rows that column blocks `blocks` read (their output rows plus the kernel's
        /// reach), for 2-D grids.
        func gridRows(_ blocks: Range<Int>) -> Range<Int> {
            Self.gridRows(blocks, panels: panels, perBlock: perBlock, ow: src.g.ow, halo: src.halo)
        }

        static func gridRows(_ blocks: Range<Int>, panels: ColumnPanels, perBlock: Int, ow: Int, halo: Int) -> Range<Int> {
            let j0 = panels.start(blocks.lowerBound * perBlock)
            let pLast = Swift.min(panels.count, blocks.upperBound * perBlock) - 1
            let j1 = Swift.min(panels.n, panels.start(pLast) + panels.width(pLast))
            return (j0 / ow)..<((j1 - 1) / ow + halo + 1)
        }
    }

    /// Bytes of padded input rows a band may hold (all channels and stride phases): the planes of
    /// one whole input were 0.9-2 MiB on ResNet / U-Net stages; a band stays in L2.
    static let bandBytes = 128 * 1024
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
        PackedConvGemm.unpackWeights(UnsafePointer(p.bytes.assumingMemoryBound(to: Float.self)), groups: groups, m: m, k: k,
                                     into: t.pointer(Float.self))
        return t
    }
}
