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
        ranges.withUnsafeBufferPointer { ranges in
            for r in 0..<oh {
                let yrow = y + r * ow
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
                        } else if sw == 2 {
                            for o in lo..<hi { yrow[o] += wv * src[2 * o] }
                        } else {
                            for o in lo..<hi { yrow[o] += wv * src[o * sw] }
                        }
                    }
                }
            }
        }
    }
}
