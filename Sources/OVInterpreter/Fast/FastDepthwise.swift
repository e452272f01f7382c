/// Depthwise GroupConvolution-1 (one input and one output channel per group; 1-D or 2-D, f32, any
/// kernel size, stride, dilation and padding): a direct SIMD kernel per channel plane.
///
/// Each plane is first copied into a zero-padded scratch plane, so no tap ever needs a bounds check.
/// With a horizontal stride s the padded rows are stored as s phases (columns p, p+s, p+2s, … for
/// phase p), so the input columns of eight adjacent outputs are contiguous for every tap and stride 2
/// vectorises like stride 1. Outputs are computed eight columns at a time (SIMD8), four or two
/// chunks per pass where the row is wide enough (each weight broadcast serves all of them), with every tap of the
/// window accumulated in registers and one store per output. The sums run in the reference's tap
/// order (row-major from the first tap) with separate multiply and add, as the reference does;
/// padded taps add `w · 0`. Channels are split across threads, each worker with its own scratch.
final class DepthwiseConvKernel: EpilogueConvolution {
    let reference: ConvolutionKernel

    init(reference: ConvolutionKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ConvolutionKernel, ref.grouped, inputs.count == 2,
              inputs.allSatisfy({ $0.elementType == .f32 }), ref.window.rank <= 2,
              let wd = inputs[1].shape.staticShape, wd[1] == 1, wd[2] == 1 else { return nil }
        return DepthwiseConvKernel(reference: ref)
    }

    var kernelName: String { "simd.depthwise" }

    var supportsResidualEpilogue: Bool { true }

    /// Threads for a depthwise convolution: each needs its own padded plane.
    static func workers(_ g: ConvShape, threads: Int) -> Int {
        let planes = g.batch * g.groups
        let work = planes * g.oh * g.ow * g.kh * g.kw
        return Swift.min(threads, Swift.max(1, work / 100_000), planes)
    }

    /// `run`'s scratch: one padded plane per worker (or ``ChannelBlockDepthwise``'s buffers).
    func scratchBytes(_ inputs: [ValueInfo], _ outputs: [ValueInfo], _ options: CompileOptions) -> Int {
        guard inputs.count == 2, let xs = inputs[0].shape.staticShape, let ws = inputs[1].shape.staticShape,
              let ys = outputs.first?.shape.staticShape, xs.count == ys.count else { return 0 }
        let g = ConvShape(x: xs, w: ws, y: ys, grouped: true, window: reference.window)
        if ChannelBlockDepthwise.takes(g) { return ChannelBlockDepthwise(g).scratchBytes(threads: options.threads) }
        return ExecutionContext.aligned(Self.workers(g, threads: options.threads) * DepthwisePlan(g).scratchFloats
                                        * MemoryLayout<Float>.stride)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        try run(inputs, &outputs, ctx, epilogue: nil)
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext, epilogue: ConvEpilogue?) throws {
        let x = inputs[0], w = inputs[1]
        let g = ConvShape(x: x.shape, w: w.shape, y: outputs[0].shape, grouped: true, window: reference.window)
        if ChannelBlockDepthwise.takes(g) {
            try ChannelBlockDepthwise(g).run(x, w, &outputs[0], ctx, epilogue: epilogue)
            return
        }
        let plan = DepthwisePlan(g)
        let xp = UnsafePointer(x.pointer(Float.self)), wp = UnsafePointer(w.pointer(Float.self))
        let yp = outputs[0].pointer(Float.self)
        let planes = g.batch * g.groups
        let t = Self.workers(g, threads: ctx.options.threads)
        let scratch = ctx.scratch(slot: 1, byteCount: t * plan.scratchFloats * MemoryLayout<Float>.stride)
            .assumingMemoryBound(to: Float.self)
        plan.offsets.withUnsafeBufferPointer { offsets in
            parallelFor(t, threads: t) { worker in
                let buf = scratch + worker * plan.scratchFloats
                // The padding is at the same place in every plane: zeroed once, then each plane
                // only copies its values in (small planes spent as long padding as convolving).
                buf.update(repeating: 0, count: plan.scratchFloats)
                for p in (planes * worker / t)..<(planes * (worker + 1) / t) {
                    let c = p % g.groups
                    plan.copyInterior(xp + p * g.h * g.w, into: buf)
                    plan.convolve(buf, wp + c * g.kh * g.kw, yp + p * g.oh * g.ow, offsets, epilogue, channel: c)
                }
            }
        }
    }
}

/// The padded, phase-split scratch layout of one depthwise plane and the tap offsets into it.
struct DepthwisePlan {
    let g: ConvShape
    /// Padded rows kept: every row some output reads.
    let rows: Int
    /// Floats per phase of a padded row: room for the last SIMD8 chunk's reads (its unused lanes
    /// read zeros), so the compute loop never checks bounds.
    let phaseWidth: Int
    /// Floats per padded row (`sw` phases).
    let rowStride: Int
    /// For tap (ki, kj) in row-major order: its offset from output (r, o)'s base `r·sh·rowStride + o`.
    let offsets: [Int]

    init(_ g: ConvShape) {
        self.g = g
        rows = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1
        let owRounded = (g.ow + 7) / 8 * 8
        phaseWidth = owRounded + ((g.kw - 1) * g.dw) / g.sw
        rowStride = phaseWidth * g.sw
        var offsets: [Int] = []
        for ki in 0..<g.kh {
            for kj in 0..<g.kw {
                let col = kj * g.dw
                offsets.append(ki * g.dh * rowStride + (col % g.sw) * phaseWidth + col / g.sw)
            }
        }
        self.offsets = offsets
    }

    var scratchFloats: Int { rows * rowStride }

    /// Copies one input plane into `buf`, whose padding is already zero (every float of `buf` that
    /// this does not write): padded row `r` holds input row `r − ph`, its phase `p` the padded
    /// columns `p, p + sw, …` (input column `c − pw`).
    func copyInterior(_ x: UnsafePointer<Float>, into buf: UnsafeMutablePointer<Float>) {
        for r in Swift.max(0, g.ph)..<Swift.min(rows, g.h + g.ph) {
            let dst = buf + r * rowStride
            let src = x + (r - g.ph) * g.w
            if g.sw == 1 {
                // Columns [pw, pw + w) hold the input row.
                let lo = Swift.min(Swift.max(g.pw, 0), phaseWidth)
                let s0 = lo - g.pw                       // first input column copied
                let n = Swift.max(0, Swift.min(g.w - s0, phaseWidth - lo))
                let d = dst + lo, s = src + s0
                if n >= 64 {
                    d.update(from: s, count: n)
                } else {
                    var i = 0
                    while i + 8 <= n { store8(load8(s + i), d + i); i += 8 }
                    while i < n { d[i] = s[i]; i += 1 }
                }
            } else {
                // Phase p, index i holds input column i·sw + p − pw: a strided gather over the
                // indices that land in the row. Stride 2: eight at a time as the even lanes of 16
                // loaded values, or — where those 16 would pass the row's end — the odd lanes of
                // the 16 starting one column earlier.
                for phase in 0..<g.sw {
                    let d = dst + phase * phaseWidth
                    let off = phase - g.pw
                    let lo = Swift.min(phaseWidth, Swift.max(0, ceilDiv(-off, g.sw)))
                    let hi = Swift.max(lo, Swift.min(phaseWidth, floorDiv(g.w - 1 - off, g.sw) + 1))
                    let s = src + off, sw = g.sw
                    var i = lo
                    if sw == 2 {
                        while i + 8 <= hi {
                            let first = off + 2 * i   // input column of d[i]
                            if first + 16 <= g.w {
                                store8(UnsafeRawPointer(s + 2 * i).loadUnaligned(as: SIMD16<Float>.self).evenHalf, d + i)
                            } else if first >= 1 {
                                store8(UnsafeRawPointer(s + 2 * i - 1).loadUnaligned(as: SIMD16<Float>.self).oddHalf, d + i)
                            } else {
                                break
                            }
                            i += 8
                        }
                    }
                    while i < hi { d[i] = s[i &* sw]; i += 1 }
                }
            }
        }
    }

    /// All output rows of one plane from its padded copy `buf` and its `kh·kw` weights; a fused
    /// bias (+ PReLU) epilogue, when given, is applied in registers before each store.
    func convolve(_ buf: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                  _ offsets: UnsafeBufferPointer<Int>, _ epilogue: ConvEpilogue? = nil, channel: Int = 0) {
        // The epilogue's constants for this channel, read once (0: none, 1: bias, 2: bias + PReLU).
        // Other epilogues (``EpilogueTail``: residual, FakeQuantize, ReLU, Clamp) store the biased
        // rows from registers and finish them right after (`general`), while they are in cache.
        let general = epilogue.map { !$0.isBiasPReLU } ?? false
        let mode = epilogue.map { e in e.bias == nil ? 0 : e.slope == nil || general ? 1 : 2 } ?? 0
        let (b, s) = epilogue?.constants(channel: channel) ?? (0, 1)
        let tailChannel = epilogue?.tailConstants(channel: channel) ?? TailChannel()
        let bias = SIMD8<Float>(repeating: b), slope = SIMD8<Float>(repeating: s)
        let tail = epilogue?.tail ?? EpilogueTail()
        @inline(__always) func finish(_ v: SIMD8<Float>) -> SIMD8<Float> {
            if mode == 0 { return v }
            var v = v + bias
            if mode == 2 { v.replace(with: v * slope, where: v .< 0) }
            return v
        }
        @inline(__always) func put(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { store8(finish(v), p) }
        let taps = g.kh * g.kw
        var finished = 0   // rows before this one have their tail ops applied
        for r in 0..<g.oh {
            let base = buf + r * g.sh * rowStride
            let yrow = y + r * g.ow
            var o = 0
            // Four (then two) chunks of eight outputs per pass: each tap's offset and broadcast
            // weight are loaded once for all of them (the loop is bound by loads, not arithmetic).
            while o + 32 <= g.ow {
                let p = base + o
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                for t in 0..<taps {
                    let wv = SIMD8<Float>(repeating: wt[t])
                    let q = p + offsets[t]
                    a0 += wv * load8(q)
                    a1 += wv * load8(q + 8)
                    a2 += wv * load8(q + 16)
                    a3 += wv * load8(q + 24)
                }
                put(a0, yrow + o)
                put(a1, yrow + o + 8)
                put(a2, yrow + o + 16)
                put(a3, yrow + o + 24)
                o += 32
            }
            while o + 16 <= g.ow {
                let p = base + o
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
                for t in 0..<taps {
                    let wv = SIMD8<Float>(repeating: wt[t])
                    let q = p + offsets[t]
                    a0 += wv * load8(q)
                    a1 += wv * load8(q + 8)
                }
                put(a0, yrow + o)
                put(a1, yrow + o + 8)
                o += 16
            }
            while o < g.ow {
                let p = base + o
                var a = SIMD8<Float>()
                for t in 0..<taps {
                    a += SIMD8<Float>(repeating: wt[t]) * load8(p + offsets[t])
                }
                let n = g.ow - o
                if n >= 8 {
                    put(a, yrow + o)
                } else {
                    a = finish(a)
                    for l in 0..<n { yrow[o + l] = a[l] }
                }
                o += 8
            }
            // Rows are finished in runs of >= 512 outputs (small planes' rows are 6-24 outputs:
            // a call per row cost more than the fused ops saved).
            if general && ((r + 1 - finished) * g.ow >= 512 || r == g.oh - 1) {
                tail.finishRow(y + finished * g.ow, count: (r + 1 - finished) * g.ow, channel: tailChannel)
                finished = r + 1
            }
        }
    }
}

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Depthwise convolution of small planes (outputs at most 12 wide: MobileNet/EfficientNet stages at
/// 10x10 and below, face_landmark's 6x6 and 3x3), eight channels at a time: the eight input planes
/// are interleaved into one zero-padded buffer (`[row][column][8 channels]`), so each tap of an
/// output pixel is one SIMD8 load across channels times the eight channels' weights — no lanes wasted
/// on short rows and no row loop overhead per plane. Every channel's sum runs over the taps in the
/// reference's order with separate multiply and add, as ``DepthwisePlan/convolve``, so results are
/// bit-identical; the epilogue (bias, PReLU, residual, FakeQuantize, activations) then runs per
/// channel plane. Channels past the last block of eight take the plane-by-plane kernel.
struct ChannelBlockDepthwise {
    let g: ConvShape
    /// Padded rows and columns every output reads.
    let rows: Int, cols: Int

    static func takes(_ g: ConvShape) -> Bool {
        g.d == 1 && g.kd == 1 && g.ow <= 12 && g.groups >= 8 && g.inPerGroup == 1 && g.outPerGroup == 1
    }

    init(_ g: ConvShape) {
        self.g = g
        rows = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1
        cols = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1
    }

    /// Threads and floats of scratch per thread (interleaved padded input, interleaved outputs,
    /// interleaved weights) for blocks of eight channels.
    func workers(threads: Int) -> (count: Int, perWorker: Int) {
        let units = g.batch * (g.groups / 8), taps = g.kh * g.kw, pixels = g.oh * g.ow
        let t = Swift.min(threads, Swift.max(1, units * pixels * taps * 8 / 100_000), Swift.max(1, units))
        return (t, rows * cols * 8 + pixels * 8 + taps * 8)
    }

    /// `run`'s scratch requests: the workers' buffers (slot 1), then one padded plane (slot 2) for
    /// channels past the last block of eight.
    func scratchBytes(threads: Int) -> Int {
        let (t, perWorker) = workers(threads: threads)
        let planes = g.groups % 8 > 0 ? ExecutionContext.aligned(DepthwisePlan(g).scratchFloats * MemoryLayout<Float>.stride) : 0
        return ExecutionContext.aligned(t * perWorker * MemoryLayout<Float>.stride) + planes
    }

    func run(_ x: Tensor, _ w: Tensor, _ y: inout Tensor, _ ctx: ExecutionContext, epilogue: ConvEpilogue?) throws {
        let xp = UnsafePointer(x.pointer(Float.self)), wp = UnsafePointer(w.pointer(Float.self))
        let yp = y.pointer(Float.self)
        let blocks = g.groups / 8, rest = g.groups - blocks * 8
        let taps = g.kh * g.kw, pixels = g.oh * g.ow, inPlane = g.h * g.w
        let bufFloats = rows * cols * 8, outFloats = pixels * 8
        let units = g.batch * blocks
        let (t, perWorker) = workers(threads: ctx.options.threads)
        let scratch = ctx.scratch(slot: 1, byteCount: t * perWorker * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
        // Tap offsets (in floats) from an output pixel's window origin in the interleaved buffer.
        var offsets: [Int] = []
        for ki in 0..<g.kh { for kj in 0..<g.kw { offsets.append((ki * g.dh * cols + kj * g.dw) * 8) } }
        offsets.withUnsafeBufferPointer { offsets in
            parallelFor(t, threads: t) { worker in
                let buf = scratch + worker * perWorker, out = buf + bufFloats, wv = out + outFloats
                // The padding is never written by the interior copies: zero once per worker and run.
                buf.update(repeating: 0, count: bufFloats)
                for u in (units * worker / t)..<(units * (worker + 1) / t) {
                    let n = u / blocks, c0 = (u % blocks) * 8
                    let xb = xp + (n * g.groups + c0) * inPlane
                    // Interleave: padded (r, c) holds input (r - ph, c - pw), channel lane l.
                    let r0 = Swift.max(0, g.ph), r1 = Swift.min(rows, g.h + g.ph)
                    let cA = Swift.max(0, g.pw), cB = Swift.min(cols, g.w + g.pw)
                    if r0 < r1 && cA < cB {
                        for r in r0..<r1 {
                            let src = xb + (r - g.ph) * g.w - g.pw, dst = buf + r * cols * 8
                            for c in cA..<cB {
                                let v = SIMD8<Float>(src[c], src[c + inPlane], src[c + 2 * inPlane], src[c + 3 * inPlane],
                                                     src[c + 4 * inPlane], src[c + 5 * inPlane], src[c + 6 * inPlane],
                                                     src[c + 7 * inPlane])
                                store8(v, dst + c * 8)
                            }
                        }
                    }
                    for k in 0..<taps {
                        for l in 0..<8 { wv[k * 8 + l] = wp[(c0 + l) * taps + k] }
                    }
                    for r in 0..<g.oh {
                        let rowBase = buf + r * g.sh * cols * 8
                        for o in 0..<g.ow {
                            let p = rowBase + o * g.sw * 8
                            var a = SIMD8<Float>()
                            for k in 0..<taps { a += load8(wv + k * 8) * load8(p + offsets[k]) }
                            store8(a, out + (r * g.ow + o) * 8)
                        }
                    }
                    // De-interleave into the eight output planes, then each plane's epilogue.
                    for l in 0..<8 {
                        let plane = yp + (n * g.groups + c0 + l) * pixels
                        for i in 0..<pixels { plane[i] = out[i * 8 + l] }
                        epilogue?.apply(plane, count: pixels, channel: c0 + l)
                    }
                }
            }
        }
        if rest > 0 {
            // The last channels plane by plane.
            let plan = DepthwisePlan(g)
            let pbuf = ctx.scratch(slot: 2, byteCount: plan.scratchFloats * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
            pbuf.update(repeating: 0, count: plan.scratchFloats)
            plan.offsets.withUnsafeBufferPointer { offs in
                for n in 0..<g.batch {
                    for c in (blocks * 8)..<g.groups {
                        let p = n * g.groups + c
                        plan.copyInterior(xp + p * inPlane, into: pbuf)
                        plan.convolve(pbuf, wp + c * taps, yp + p * pixels, offs, epilogue, channel: c)
                    }
                }
            }
        }
    }
}
