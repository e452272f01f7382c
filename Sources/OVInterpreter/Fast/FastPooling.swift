/// MaxPool-1, MaxPool-8 (undilated; with its index output) and AvgPool-1 over 1-D or 2-D windows on
/// f32: a direct loop per output with the window clipped to the input once (no per-output tap
/// lists), in the reference's tap order (the first maximum wins) and with its divisor rules
/// (`exclude-pad`, windows clipped to the padded input, ceil rounding).
final class DirectPoolKernel: Kernel {
    let reference: PoolKernel

    init(reference: PoolKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? PoolKernel, ref.window.dilations.allSatisfy({ $0 == 1 }), ref.window.rank <= 2, inputs.count == 1,
              inputs[0].elementType == .f32 else { return nil }
        return DirectPoolKernel(reference: ref)
    }

    var kernelName: String { "simd.pool" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let r = reference.window.rank
        let inSp = Array(x.shape.suffix(r)), outSp = Array(outputs[0].shape.suffix(r))
        let (pb, pe) = reference.window.pads(input: inSp, kernel: reference.kernel)
        let two = { (v: [Int], fill: Int) in Array(repeating: fill, count: 2 - v.count) + v }
        let g = PoolShape(i: two(inSp, 1), o: two(outSp, 1), k: two(reference.kernel, 1), s: two(reference.window.strides, 1),
                          pb: two(pb, 0), pe: two(pe, 0))
        let planes = x.shape[0] * x.shape[1]
        let xp = UnsafePointer(x.pointer(Float.self)), yp = outputs[0].pointer(Float.self)
        let isMax = reference.kind != .avg, excludePad = reference.excludePad
        let t = Swift.min(ctx.options.threads, Swift.max(1, outputs[0].count * g.k[0] * g.k[1] / 200_000))
        let inPlane = g.i[0] * g.i[1], outPlane = g.o[0] * g.o[1]
        guard reference.kind == .max8 else {
            parallelFor(planes, threads: t) { p in
                g.plane(xp + p * inPlane, yp + p * outPlane, isMax: isMax, excludePad: excludePad, argmax: nil)
            }
            return
        }
        // MaxPool-8's indices: flat input index of each maximum, modulo the size of the dims from `axis`.
        let ax = try normalizeAxes([reference.axis], rank: x.rank, "MaxPool")[0]
        let span = Int64(Swift.max(1, x.shape[ax...].reduce(1, *)))
        var argmax = [Int](repeating: 0, count: planes * outPlane)
        argmax.withUnsafeMutableBufferPointer { am in
            let ap = am.baseAddress!
            parallelFor(planes, threads: t) { p in
                g.plane(xp + p * inPlane, yp + p * outPlane, isMax: true, excludePad: false, argmax: ap + p * outPlane)
                for o in 0..<outPlane { ap[p * outPlane + o] += p * inPlane }
            }
        }
        if outputs[1].elementType == .i64 {
            let ip = outputs[1].pointer(Int64.self)
            for (k, i) in argmax.enumerated() { ip[k] = Int64(i) % span }
        } else {
            let ip = outputs[1].pointer(Int32.self)
            for (k, i) in argmax.enumerated() { ip[k] = Int32(truncatingIfNeeded: Int64(i) % span) }
        }
    }
}

/// A 2-D pooling window geometry (1-D as height 1).
struct PoolShape {
    let i: [Int], o: [Int], k: [Int], s: [Int], pb: [Int], pe: [Int]

    /// Window of output `out` along dim `d`: the in-input taps and the taps inside the padded input.
    @inline(__always)
    func span(_ d: Int, _ out: Int) -> (lo: Int, hi: Int, padded: Int) {
        let start = out * s[d] - pb[d]
        let lo = Swift.max(start, 0), hi = Swift.min(start + k[d], i[d])
        let plo = Swift.max(start, -pb[d]), phi = Swift.min(start + k[d], i[d] + pe[d])
        return (lo, Swift.max(lo, hi), Swift.max(0, phi - plo))
    }

    /// One plane; `argmax` (when given) receives each maximum's in-plane index (the window's first
    /// tap when nothing beats -inf, 0 for an empty window, as the reference).
    func plane(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, isMax: Bool, excludePad: Bool,
               argmax: UnsafeMutablePointer<Int>?) {
        for oy in 0..<o[0] {
            let (y0, y1, ph) = span(0, oy)
            for ox in 0..<o[1] {
                let (x0, x1, pw) = span(1, ox)
                if isMax {
                    var best = -Float.infinity
                    var at = y1 > y0 && x1 > x0 ? y0 * i[1] + x0 : 0
                    for iy in y0..<y1 {
                        let row = x + iy * i[1]
                        for ix in x0..<x1 where row[ix] > best {
                            best = row[ix]
                            at = iy * i[1] + ix
                        }
                    }
                    y[oy * o[1] + ox] = best
                    argmax?[oy * o[1] + ox] = at
                } else {
                    var sum: Float = 0
                    for iy in y0..<y1 {
                        let row = x + iy * i[1]
                        for ix in x0..<x1 { sum += row[ix] }
                    }
                    let n = excludePad ? (y1 - y0) * (x1 - x0) : ph * pw
                    y[oy * o[1] + ox] = n == 0 ? 0 : sum / Float(n)
                }
            }
        }
    }
}
