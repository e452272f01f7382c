/// Depthwise GroupConvolution-1 (one input and one output channel per group; 1-D or 2-D, f32): a
/// direct kernel per channel plane. Each output row accumulates its KH·KW taps as scaled, shifted
/// input rows (contiguous and vectorised for stride 1), with the padding handled by clipping the
/// column range once per tap instead of per element. Channels are split across threads.
final class DepthwiseConvKernel: Kernel {
    let reference: ConvolutionKernel

    init(reference: ConvolutionKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ConvolutionKernel, ref.grouped, inputs.count == 2,
              inputs.allSatisfy({ $0.elementType == .f32 }), ref.window.rank <= 2,
              let wd = inputs[1].shape.staticShape, wd[1] == 1, wd[2] == 1 else { return nil }
        return DepthwiseConvKernel(reference: ref)
    }

    var kernelName: String { "simd.depthwise" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0], w = inputs[1]
        let g = ConvShape(x: x.shape, w: w.shape, y: outputs[0].shape, grouped: true, window: reference.window)
        // Only the fused 3x3 rows beat the reference's tap-by-tap loops on one thread (measured: 5x5 on
        // 12x12 planes was slower); other kernels use this one only to split channels across threads.
        let fused3x3 = g.kh == 3 && g.kw == 3 && g.dh == 1 && g.dw == 1
        if !fused3x3 && ctx.options.threads == 1 { return try reference.run(inputs, &outputs, ctx) }
        let xp = UnsafePointer(x.pointer(Float.self)), wp = UnsafePointer(w.pointer(Float.self))
        let yp = outputs[0].pointer(Float.self)
        let planes = g.batch * g.groups
        let work = outputs[0].count * g.kh * g.kw
        let t = Swift.min(ctx.options.threads, Swift.max(1, work / 200_000))
        parallelFor(planes, threads: t) { p in
            let c = p % g.groups
            g.depthwisePlane(xp + p * g.h * g.w, wp + c * g.kh * g.kw, yp + p * g.oh * g.ow)
        }
    }
}

extension ConvShape {
    /// One channel: `y[oh, ow] = Σ_{ki,kj} w[ki, kj] · x[oh·sh − ph + ki·dh, ow·sw − pw + kj·dw]`
    /// (taps in the padding contribute nothing), in the reference's tap order.
    func depthwisePlane(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        // Valid output columns per horizontal tap, computed once.
        var ranges = [(Int, Int)](repeating: (0, 0), count: kw)
        for kj in 0..<kw {
            let off = kj * dw - pw
            let lo = Swift.max(0, ceilDiv(-off, sw)), hi = Swift.min(ow, floorDiv(w - 1 - off, sw) + 1)
            ranges[kj] = (lo, Swift.max(lo, hi))
        }
        // 3x3 undilated kernels: rows whose three input rows exist compute their interior columns
        // with all nine taps in one expression (one store per output instead of nine passes).
        let fused = kh == 3 && kw == 3 && dh == 1 && dw == 1
        let cLo = ranges.map(\.0).max() ?? 0, cHi = Swift.max(cLo, ranges.map(\.1).min() ?? 0)
        ranges.withUnsafeBufferPointer { ranges in
            for r in 0..<oh {
                let yrow = y + r * ow
                let ih0 = r * sh - ph
                if fused && ih0 >= 0 && ih0 + 2 < h {
                    fusedRow3x3(x + ih0 * w, wt, yrow, cLo, cHi, ranges)
                    continue
                }
                yrow.update(repeating: 0, count: ow)
                for ki in 0..<kh {
                    let ih = r * sh - ph + ki * dh
                    if ih < 0 || ih >= h { continue }
                    let xrow = x + ih * w
                    for kj in 0..<kw {
                        let wv = wt[ki * kw + kj]
                        let (lo, hi) = ranges[kj]
                        if lo >= hi { continue }
                        let src = xrow + (kj * dw - pw)
                        if sw == 1 {
                            for o in lo..<hi { yrow[o] += wv * src[o] }
                        } else {
                            for o in lo..<hi { yrow[o] += wv * src[o &* sw] }
                        }
                    }
                }
            }
        }
    }

    /// One output row of a 3x3 stride-1/2 depthwise kernel whose three input rows start at `x`:
    /// interior columns `[cLo, cHi)` in one vectorisable expression, edge columns tap by tap. The
    /// sums run in the reference's order (row-major taps from 0), so results are identical.
    @inline(__always)
    private func fusedRow3x3(_ x: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                             _ cLo: Int, _ cHi: Int, _ ranges: UnsafeBufferPointer<(Int, Int)>) {
        let (k0, k1, k2, k3, k4, k5, k6, k7, k8) = (k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8])
        // Nine shifted row pointers: the loop body has no index arithmetic (checked arithmetic would
        // keep the loop from being vectorised).
        let r0 = x - pw, r1 = x + w - pw, r2 = x + 2 * w - pw
        let (a0, a1, a2) = (r0, r0 + 1, r0 + 2), (b0, b1, b2) = (r1, r1 + 1, r1 + 2), (c0, c1, c2) = (r2, r2 + 1, r2 + 2)
        if sw == 1 {
            for o in cLo..<cHi {
                var a: Float = 0
                a += k0 * a0[o]; a += k1 * a1[o]; a += k2 * a2[o]
                a += k3 * b0[o]; a += k4 * b1[o]; a += k5 * b2[o]
                a += k6 * c0[o]; a += k7 * c1[o]; a += k8 * c2[o]
                y[o] = a
            }
        } else {
            for o in cLo..<cHi {
                let c = o &* sw
                var a: Float = 0
                a += k0 * a0[c]; a += k1 * a1[c]; a += k2 * a2[c]
                a += k3 * b0[c]; a += k4 * b1[c]; a += k5 * b2[c]
                a += k6 * c0[c]; a += k7 * c1[c]; a += k8 * c2[c]
                y[o] = a
            }
        }
        var o = 0
        while o < ow {
            if o == cLo && cHi > cLo { o = cHi; continue }
            var a: Float = 0
            for ki in 0..<3 {
                let row = x + ki * w
                for kj in 0..<3 where o >= ranges[kj].0 && o < ranges[kj].1 {
                    a += k[ki * 3 + kj] * row[o * sw + kj - pw]
                }
            }
            y[o] = a
            o += 1
        }
    }
}
