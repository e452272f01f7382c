/// Convolution-1 and GroupConvolution-1 (1-D, 2-D and 3-D, f32) as GEMMs, per image and group:
/// `Y[g] = W[g] · cols(X[g])` with `W[g]` as `[C_out/g, C_in/g·KD·KH·KW]`.
/// A 1x1 stride-1 unpadded convolution multiplies the NCHW input directly; anything else first
/// unfolds the input windows (im2col) into a scratch buffer reused across nodes and runs.
/// Depthwise 1-D/2-D convolutions (one input and one output channel per group) go to ``DepthwiseConvKernel``.
/// 3-D convolutions (video / volumetric models: C3D, I3D) take the same paths, with depth as one
/// more spatial dim of ``ConvShape`` (they used to run a separate im2col + OpenBLAS kernel,
/// `blas.conv3d`, at 17-30 GFLOP/s on c3d's convolutions; docs/PERFORMANCE.md).
/// Inner dimensions above ``SmallGemm/maxK`` (3x3 convolutions with 32+ input channels, deep 1x1
/// ones) run ``PackedConvGemm`` instead: packed weights, input columns packed straight from NCHW
/// into L1-sized panels, a 4x24 FMA register tile; OpenBLAS keeps the shapes neither claims.
final class GemmConvolutionKernel: EpilogueConvolution {
    let reference: ConvolutionKernel
    /// Weights packed for ``PackedConvGemm`` (on the first run that takes that path).
    let packedWeights = PackedConvWeights()

    init(reference: ConvolutionKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ConvolutionKernel, inputs.count == 2,
              inputs.allSatisfy({ $0.elementType == .f32 }), ref.window.rank <= 3,
              let wd = inputs[1].shape.staticShape else { return nil }
        if ref.grouped && wd[1] == 1 && wd[2] == 1 && ref.window.rank <= 2 { return nil }   // depthwise
        // OpenBLAS (2.2 MiB resident with its Fortran runtime) is opened only when this convolution
        // will call it: with static shapes most take the packed GEMM or SmallGemm.
        if let xs = inputs[0].shape.staticShape, let ys = outputs.first?.shape.staticShape {
            let g = ConvShape(x: xs, w: wd, y: ys, grouped: ref.grouped, window: ref.window)
            if callsOpenBLAS(g) && !BLAS.isAvailable { return nil }
        } else if !BLAS.isAvailable {
            return nil
        }
        return GemmConvolutionKernel(reference: ref)
    }

    /// Whether a convolution of this geometry calls OpenBLAS: not when ``PackedConvGemm`` or
    /// ``SmallGemm`` takes it (as `run` decides), nor for single-pixel outputs, which
    /// ``BLAS/sgemm(transA:transB:m:n:k:a:lda:b:ldb:c:ldc:beta:threads:)`` computes as SIMD dot products.
    static func callsOpenBLAS(_ g: ConvShape) -> Bool {
        let kdim = g.inPerGroup * g.taps, ncols = g.outPixels
        if PackedConvGemm.claims(m: g.outPerGroup, n: ncols, k: kdim, pointwise: g.isPointwise) { return false }
        if SmallGemm.claims(m: g.outPerGroup, n: ncols, k: kdim) { return false }
        return ncols > 1 && kdim > 0 && g.outPerGroup > 0
    }

    var kernelName: String { "blas.conv" }

    /// When this convolution's static shapes take ``PackedConvGemm``: packs its constant f32
    /// weights `w` now and returns their stand-in (see ``PackedConvWeights/prepack(_:groups:m:k:)``),
    /// for the compiled model to keep instead of `w` when this step is `w`'s only reader.
    func prepackedWeights(x: [Int], w: Tensor, y: [Int]) -> Tensor? {
        guard w.elementType == .f32 else { return nil }
        let g = ConvShape(x: x, w: w.shape, y: y, grouped: reference.grouped, window: reference.window)
        let kdim = g.inPerGroup * g.taps
        guard g.groups * g.outPerGroup * kdim == w.count,
              PackedConvGemm.claims(m: g.outPerGroup, n: g.outPixels, k: kdim, pointwise: g.isPointwise) else { return nil }
        prepacked = (g.groups, g.outPerGroup, kdim)
        return packedWeights.prepack(w, groups: g.groups, m: g.outPerGroup, k: kdim)
    }

    /// The weights a ``prepackedWeights(x:w:y:)`` stand-in replaced, unpacked (for observers of the constant).
    func unpackedWeights(shape: [Int]) -> Tensor? {
        guard let (groups, m, k) = prepacked else { return nil }
        return packedWeights.unpacked(shape: shape, groups: groups, m: m, k: k)
    }

    /// Set by ``prepackedWeights(x:w:y:)``: the packed matrices' geometry (groups, rows, inner dimension).
    private var prepacked: (groups: Int, m: Int, k: Int)?

    /// Epilogues reach ``SmallGemm`` (in registers) or ``ConvEpilogue/apply(_:count:channel:)`` (after sgemm).
    var supportsResidualEpilogue: Bool { true }

    /// im2col runs in tiles of output columns (about 256K floats of scratch per worker), so the
    /// scratch stays small and the tile is still in cache when sgemm reads it. With few input taps
    /// (``SmallGemm``) the tile is sized for L1/L2 instead (~16K floats).
    static func im2colTiling(_ g: ConvShape, threads: Int) -> (small: Bool, tile: Int, workers: Int) {
        let kdim = g.inPerGroup * g.taps, ncols = g.outPixels
        let small = SmallGemm.claims(m: g.outPerGroup, n: ncols, k: kdim)
        let tile = small ? Swift.min(ncols, Swift.max(48, (16_384 / Swift.max(kdim, 1)) / 48 * 48))
                         : Swift.min(ncols, Swift.max(64, (262_144 / Swift.max(kdim, 1)) / 16 * 16))
        let workers = g.isPointwise ? 1 : Swift.min(threads, Swift.max(1, g.outPerGroup * ncols * kdim / 2_000_000))
        return (small, tile, workers)
    }

    /// `run`'s scratch: run-time weights packed for ``PackedConvGemm`` (slot 4), then its column
    /// blocks and padded planes; or the im2col tiles.
    func scratchBytes(_ inputs: [ValueInfo], _ outputs: [ValueInfo], _ options: CompileOptions) -> Int {
        guard inputs.count == 2, let xs = inputs[0].shape.staticShape, let ws = inputs[1].shape.staticShape,
              let ys = outputs.first?.shape.staticShape, xs.count == ws.count, ys.count == xs.count else { return 0 }
        let g = ConvShape(x: xs, w: ws, y: ys, grouped: reference.grouped, window: reference.window)
        let kdim = g.inPerGroup * g.taps, ncols = g.outPixels
        let f = MemoryLayout<Float>.stride
        if PackedConvGemm.claims(m: g.outPerGroup, n: ncols, k: kdim, pointwise: g.isPointwise) {
            let weights = inputs[1].value == nil
                ? ExecutionContext.aligned(PackedConvGemm.packedCount(groups: g.groups, m: g.outPerGroup, k: kdim) * f) : 0
            return weights + PackedConvGemm.Layout(g, threads: options.threads).scratchBytes
        }
        if g.isPointwise { return 0 }
        let (_, tile, workers) = Self.im2colTiling(g, threads: options.threads)
        return ExecutionContext.aligned(workers * kdim * tile * f)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        try run(inputs, &outputs, ctx, epilogue: nil)
    }

    /// With an epilogue (fused bias + PReLU), each tile's output rows get it right after its sgemm,
    /// while they are still in cache.
    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext, epilogue: ConvEpilogue?) throws {
        let x = inputs[0], w = inputs[1]
        let g = ConvShape(x: x.shape, w: w.shape, y: outputs[0].shape, grouped: reference.grouped, window: reference.window)
        let xp = UnsafePointer(x.pointer(Float.self)), wp = UnsafePointer(w.pointer(Float.self))
        let yp = outputs[0].pointer(Float.self)
        let kdim = g.inPerGroup * g.taps, ncols = g.outPixels
        let direct = g.isPointwise
        let threads = ctx.options.threads
        if PackedConvGemm.claims(m: g.outPerGroup, n: ncols, k: kdim, pointwise: direct) {
            let packed = packedWeights.get(w, groups: g.groups, m: g.outPerGroup, k: kdim, ctx: ctx)
            // The packed kernel applies bias (+ PReLU) epilogues in registers; for other ones
            // (``EpilogueTail``: scale/shift, residual, FakeQuantize, activations) it adds the bias
            // in registers and the tail finishes each block of columns after its last K block.
            let general = epilogue.map { !$0.isBiasPReLU } ?? false
            let inKernel = general ? epilogue.flatMap { e in e.bias.map { ConvEpilogue(bias: $0, slope: nil, slopeStride: 0) } } : epilogue
            PackedConvGemm.run(g: g, x: xp, packed: packed, y: yp, epilogue: inKernel, tail: general ? epilogue : nil,
                               threads: threads, ctx: ctx)
            return
        }
        let (small, tile, workers) = Self.im2colTiling(g, threads: threads)
        let cols: UnsafeMutablePointer<Float>? = direct ? nil
            : ctx.scratch(slot: 0, byteCount: workers * kdim * tile * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
        for n in 0..<g.batch {
            for grp in 0..<g.groups {
                let xg = xp + (n * g.groups + grp) * g.inPerGroup * g.inPlane
                let yg = yp + (n * g.groups + grp) * g.outPerGroup * ncols
                let wg = wp + grp * g.outPerGroup * kdim
                guard let cols else {
                    if small {
                        // Columns split across threads in multiples of the 24-column register tile.
                        let t = Swift.min(threads, Swift.max(1, g.outPerGroup * ncols * kdim / 1_000_000))
                        parallelChunks(ncols, threads: t, align: 24) { r in
                            SmallGemm.run(m: g.outPerGroup, n: r.count, k: kdim, a: wg, lda: kdim, b: xg + r.lowerBound, ldb: ncols,
                                          c: yg + r.lowerBound, ldc: ncols, epilogue: epilogue, channelBase: grp * g.outPerGroup)
                        }
                        continue
                    }
                    BLAS.sgemm(m: g.outPerGroup, n: ncols, k: kdim, a: wg, lda: kdim, b: xg, ldb: ncols,
                               c: yg, ldc: ncols, threads: threads)
                    if let epilogue {
                        for co in 0..<g.outPerGroup { epilogue.apply(yg + co * ncols, count: ncols, channel: grp * g.outPerGroup + co) }
                    }
                    continue
                }
                // Each worker unfolds and multiplies its own tiles of output pixels.
                let tiles = (ncols + tile - 1) / tile
                parallelFor(workers, threads: workers) { worker in
                    let buf = cols + worker * kdim * tile
                    for t in (tiles * worker / workers)..<(tiles * (worker + 1) / workers) {
                        let c0 = t * tile, c1 = Swift.min(ncols, c0 + tile)
                        g.im2col(xg, buf, rowStride: c1 - c0, columns: c0..<c1)
                        if small {
                            SmallGemm.run(m: g.outPerGroup, n: c1 - c0, k: kdim, a: wg, lda: kdim, b: buf, ldb: c1 - c0,
                                          c: yg + c0, ldc: ncols, epilogue: epilogue, channelBase: grp * g.outPerGroup)
                            continue
                        }
                        BLAS.sgemm(m: g.outPerGroup, n: c1 - c0, k: kdim, a: wg, lda: kdim, b: buf, ldb: c1 - c0,
                                   c: yg + c0, ldc: ncols, threads: 1)
                        if let epilogue {
                            for co in 0..<g.outPerGroup {
                                epilogue.apply(yg + co * ncols + c0, count: c1 - c0, channel: grp * g.outPerGroup + co)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The geometry of a 1-D, 2-D or 3-D convolution (1-D as height 1, 1-D and 2-D as depth 1), from
/// the data, weights and output shapes.
struct ConvShape {
    var batch = 0, groups = 1, inPerGroup = 0, outPerGroup = 0
    var d = 1, h = 1, w = 1, od = 1, oh = 1, ow = 1, kd = 1, kh = 1, kw = 1
    var sd = 1, sh = 1, sw = 1, dd = 1, dh = 1, dw = 1, pd = 0, ph = 0, pw = 0

    /// 1x1(x1), stride 1, unpadded: the GEMM's columns are the input planes themselves.
    var isPointwise: Bool {
        kd == 1 && kh == 1 && kw == 1 && sd == 1 && sh == 1 && sw == 1 && pd == 0 && ph == 0 && pw == 0
            && od == d && oh == h && ow == w
    }
    /// Input values per channel (`D·H·W`), output pixels per channel (`OD·OH·OW`), kernel taps per
    /// input channel (`KD·KH·KW`).
    var inPlane: Int { d * h * w }
    var outPixels: Int { od * oh * ow }
    var taps: Int { kd * kh * kw }

    init(x: [Int], w wt: [Int], y: [Int], grouped: Bool, window: SpatialWindow) {
        let r = window.rank
        precondition(r <= 3, "ConvShape: at most 3 spatial dims, got \(r)")
        batch = x[0]
        groups = grouped ? wt[0] : 1
        outPerGroup = grouped ? wt[1] : wt[0]
        inPerGroup = grouped ? wt[2] : wt[1]
        let inSp = Array(x.suffix(r)), kSp = Array(wt.suffix(r)), outSp = Array(y.suffix(r))
        let pads = window.pads(input: inSp, kernel: kSp).begin
        let three = { (v: [Int], fill: Int) in Array(repeating: fill, count: 3 - v.count) + v }
        let i3 = three(inSp, 1), k3 = three(kSp, 1), o3 = three(outSp, 1)
        let s3 = three(window.strides, 1), d3 = three(window.dilations, 1), p3 = three(pads, 0)
        (d, h, w, kd, kh, kw, od, oh, ow) = (i3[0], i3[1], i3[2], k3[0], k3[1], k3[2], o3[0], o3[1], o3[2])
        (sd, sh, sw, dd, dh, dw, pd, ph, pw) = (s3[0], s3[1], s3[2], d3[0], d3[1], d3[2], p3[0], p3[1], p3[2])
    }

    /// Writes columns `columns` of the unfolded input `[C·KD·KH·KW, OD·OH·OW]` for one group's
    /// channels at `x` into `cols` (`[C·KD·KH·KW, columns.count]`, row stride `rowStride`); padding
    /// taps are 0. Output columns are walked one output row (fixed depth and height) at a time, so
    /// each tap row is a contiguous copy when the width stride is 1.
    func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, rowStride: Int, columns: Range<Int>) {
        // Shift the base so that output column j lands at row[j - columns.lowerBound].
        let base = cols - columns.lowerBound
        for c in 0..<inPerGroup {
            let xc = x + c * inPlane
            for kz in 0..<kd {
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        let row = base + (((c * kd + kz) * kh + ki) * kw + kj) * rowStride
                        let off = kj * dw - pw
                        // Output columns whose tap lands inside the input row.
                        let lo = Swift.max(0, ceilDiv(-off, sw)), hi = Swift.min(ow, floorDiv(w - 1 - off, sw) + 1)
                        var j = columns.lowerBound
                        while j < columns.upperBound {
                            let r = j / ow, x0 = j - r * ow, x1 = Swift.min(ow, x0 + columns.upperBound - j)
                            let oz = r / oh, oy = r - oz * oh
                            let dst = row + r * ow
                            let iz = oz * sd - pd + kz * dd, iy = oy * sh - ph + ki * dh
                            if iz < 0 || iz >= d || iy < 0 || iy >= h || lo >= hi {
                                (dst + x0).update(repeating: 0, count: x1 - x0)
                            } else {
                                let src = xc + (iz * h + iy) * w + off
                                let a = Swift.min(Swift.max(lo, x0), x1), b = Swift.max(Swift.min(hi, x1), a)
                                if a > x0 { (dst + x0).update(repeating: 0, count: a - x0) }
                                if sw == 1 {
                                    if b > a { (dst + a).update(from: src + a, count: b - a) }
                                } else {
                                    for o in a..<b { dst[o] = src[o &* sw] }
                                }
                                if x1 > b { (dst + b).update(repeating: 0, count: x1 - b) }
                            }
                            j += x1 - x0
                        }
                    }
                }
            }
        }
    }
}
