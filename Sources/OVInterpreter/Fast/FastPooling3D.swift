/// MaxPool-1/-8 (undilated) and AvgPool-1 over 3 spatial dims on f32: a direct loop per output with
/// the window clipped to the input once per axis, taps in the reference's order (depth, height,
/// width; the first maximum wins) and its divisor rules. MaxPool-8's indices are flat input indices
/// modulo the size of the dims from `axis`, as in ``DirectPoolKernel``. Eight neighbouring outputs
/// of a row whose width windows are whole and evenly spaced (width stride 1 or 2: C3D's 1x2x2 and
/// 2x2x2 stride-2 MaxPools, I3D's 1x3x3 / 3x3x3 stride 1-2 ones, AvgPool 2x7x7) run as one SIMD8
/// step over the same taps in the same order (lane-wise strict compares and selects, or sums).
final class Direct3DPoolKernel: OutputSkippingKernel {
    let reference: PoolKernel
    /// MaxPool-8 whose index output no step reads (as converters leave it): only the maxima are computed.
    let skipsIndices: Bool

    init(reference: PoolKernel, skipsIndices: Bool = false) {
        self.reference = reference
        self.skipsIndices = skipsIndices
    }

    func skipping(outputs: Set<Int>) -> (any Kernel)? {
        reference.kind == .max8 && outputs == [1] && !skipsIndices ? Direct3DPoolKernel(reference: reference, skipsIndices: true) : nil
    }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? PoolKernel, ref.window.dilations.allSatisfy({ $0 == 1 }), ref.window.rank == 3,
              inputs.count == 1, inputs[0].elementType == .f32 else { return nil }
        return Direct3DPoolKernel(reference: ref)
    }

    var kernelName: String { skipsIndices ? "simd.pool3d(no indices)" : "simd.pool3d" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let i = Array(x.shape.suffix(3)), o = Array(outputs[0].shape.suffix(3)), k = reference.kernel
        let s = reference.window.strides
        let (pb, pe) = reference.window.pads(input: i, kernel: k)
        let planes = x.shape[0] * x.shape[1]
        let inPlane = i[0] * i[1] * i[2], outPlane = o[0] * o[1] * o[2]
        let xp = UnsafePointer(x.pointer(Float.self)), yp = outputs[0].pointer(Float.self)
        let isMax = reference.kind != .avg, excludePad = reference.excludePad
        // Per axis and output index: the in-input taps and the count inside the padded input.
        let spans: [[(lo: Int, hi: Int, padded: Int)]] = (0..<3).map { d in
            (0..<o[d]).map { out in
                let start = out * s[d] - pb[d]
                let lo = Swift.max(start, 0), hi = Swift.min(start + k[d], i[d])
                let plo = Swift.max(start, -pb[d]), phi = Swift.min(start + k[d], i[d] + pe[d])
                return (lo, Swift.max(lo, hi), Swift.max(0, phi - plo))
            }
        }
        var span = 1, perElement = false
        var argmax: UnsafeMutablePointer<Int64>? = nil
        var i32: UnsafeMutablePointer<Int32>? = nil
        if reference.kind == .max8 && !skipsIndices {
            let ax = try normalizeAxes([reference.axis], rank: x.rank, "MaxPool")[0]
            span = Swift.max(1, x.shape[ax...].reduce(1, *))
            perElement = span % inPlane != 0
            if outputs[1].elementType == .i64 {
                argmax = outputs[1].pointer(Int64.self)
            } else {
                i32 = outputs[1].pointer(Int32.self)
                argmax = ctx.scratch(slot: 2, byteCount: planes * outPlane * MemoryLayout<Int64>.stride).assumingMemoryBound(to: Int64.self)
            }
        }
        let t = Swift.min(ctx.options.threads, Swift.max(1, outputs[0].count * k.reduce(1, *) / 200_000))
        let (ih, iw) = (i[1], i[2])
        // The vector step's lane offsets and indices are Int32.
        let kw = k[2], ow = o[2], vs = (s[2] == 1 || s[2] == 2) && inPlane < Int(Int32.max) ? s[2] : 0
        let cols = spans[2]
        parallelFor(planes, threads: t) { p in
            let xs = xp + p * inPlane, ys = yp + p * outPlane
            let base = Int64((p * inPlane) % span)
            let am = argmax.map { $0 + p * outPlane }
            var out = 0
            for (z0, z1, pz) in spans[0] {
                for (y0, y1, py) in spans[1] {
                    var ox = 0, vectorBefore = false
                    // Outputs s..<s+8 as one SIMD step: whole, evenly spaced width windows, every load
                    // inside the row (`out` is output `ox`'s flat index).
                    @inline(__always) func chunk(_ s: Int) -> Bool {
                        let (x0, x1, px) = cols[s]
                        guard vs > 0 && s + 8 <= ow && x1 - x0 == kw && cols[s + 7].lo == x0 + 7 * vs
                            && cols[s + 7].hi - cols[s + 7].lo == kw && x0 + kw - 1 + 8 * vs <= iw else { return false }
                        let at = out - ox + s
                        Direct3DPoolKernel.vectorWindows(xs, z0, z1, y0, y1, x0, ih: ih, iw: iw, kw: kw, stride: vs, ys + at,
                                                         isMax: isMax, divisor: excludePad ? (z1 - z0) * (y1 - y0) * kw : pz * py * px,
                                                         argmax: am.map { $0 + at }, indexBase: base, span: perElement ? span : 0)
                        return true
                    }
                    while ox < ow {
                        if chunk(ox) {
                            ox += 8
                            out += 8
                            vectorBefore = true
                            continue
                        }
                        // After SIMD steps, the row's last whole windows as one step overlapping
                        // outputs already written (recomputed with the same taps in the same order).
                        if vectorBefore {
                            vectorBefore = false
                            if let s = stride(from: ox - 1, through: Swift.max(0, ox - 7), by: -1).first(where: { chunk($0) }) {
                                out += s + 8 - ox
                                ox = s + 8
                                continue
                            }
                        }
                        let (x0, x1, px) = cols[ox]
                        ox += 1
                        if isMax {
                            var best = -Float.infinity
                            var at = z1 > z0 && y1 > y0 && x1 > x0 ? (z0 * ih + y0) * iw + x0 : 0
                            for z in z0..<z1 {
                                for yy in y0..<y1 {
                                    let row = (z * ih + yy) * iw
                                    for xx in x0..<x1 where xs[row + xx] > best {
                                        best = xs[row + xx]
                                        at = row + xx
                                    }
                                }
                            }
                            ys[out] = best
                            if let am { am[out] = perElement ? (base + Int64(at)) % Int64(span) : base + Int64(at) }
                        } else {
                            var sum: Float = 0
                            for z in z0..<z1 {
                                for yy in y0..<y1 {
                                    let row = (z * ih + yy) * iw
                                    for xx in x0..<x1 { sum += xs[row + xx] }
                                }
                            }
                            let n = excludePad ? (z1 - z0) * (y1 - y0) * (x1 - x0) : pz * py * px
                            ys[out] = n == 0 ? 0 : sum / Float(n)
                        }
                        out += 1
                    }
                }
            }
        }
        if let i32, let argmax {
            for e in 0..<(planes * outPlane) { i32[e] = Int32(truncatingIfNeeded: argmax[e]) }
        }
    }

    /// Eight neighbouring outputs of one output row whose width windows `x0 + j·stride ..< x0 +
    /// j·stride + kw` are inside the input row, over depths `z0..<z1` and rows `y0..<y1`: the max
    /// (first maximum wins; `argmax` gets `indexBase` + its in-volume index, reduced modulo `span`
    /// when that is not 0) or the window sum divided by `divisor`, taps in the scalar loop's order.
    @inline(__always)
    static func vectorWindows(_ x: UnsafePointer<Float>, _ z0: Int, _ z1: Int, _ y0: Int, _ y1: Int, _ x0: Int,
                              ih: Int, iw: Int, kw: Int, stride: Int, _ y: UnsafeMutablePointer<Float>,
                              isMax: Bool, divisor: Int, argmax: UnsafeMutablePointer<Int64>?, indexBase: Int64, span: Int) {
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
            stride == 1 ? UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
                        : UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self).evenHalf
        }
        if isMax {
            let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(stride)
            var best = SIMD8<Float>(repeating: -.infinity)
            // An empty window's index is 0 (as the scalar loop's).
            var at = z1 > z0 && y1 > y0 ? lanes &+ Int32(truncatingIfNeeded: (z0 * ih + y0) * iw + x0) : SIMD8<Int32>()
            for z in z0..<z1 {
                for yy in y0..<y1 {
                    let r = (z * ih + yy) * iw + x0, row = x + r
                    for kx in 0..<kw {
                        let v = load(row + kx)
                        let m = v .> best
                        best.replace(with: v, where: m)
                        at.replace(with: lanes &+ Int32(truncatingIfNeeded: r + kx), where: m)
                    }
                }
            }
            store8(best, y)
            if let argmax {
                var idx = SIMD8<Int64>(truncatingIfNeeded: at) &+ indexBase
                if span > 0 { for l in 0..<8 { idx[l] %= Int64(span) } }
                UnsafeMutableRawPointer(argmax).storeBytes(of: idx, as: SIMD8<Int64>.self)
            }
            return
        }
        var sum = SIMD8<Float>(repeating: 0)
        for z in z0..<z1 {
            for yy in y0..<y1 {
                let row = x + (z * ih + yy) * iw + x0
                for kx in 0..<kw { sum += load(row + kx) }
            }
        }
        store8(divisor == 0 ? SIMD8<Float>(repeating: 0) : sum / SIMD8<Float>(repeating: Float(divisor)), y)
    }
}
