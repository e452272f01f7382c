/// Convolution-1 and GroupConvolution-1 over 3 spatial dims (video / volumetric models) on f32:
/// per image and group, the input windows are unfolded (im2col) into a scratch tile of output
/// columns and multiplied by the weights (read in place as `[C_out/g, C_in/g·KD·KH·KW]`) with
/// OpenBLAS sgemm. The 1-D/2-D convolutions have their own kernels (``GemmConvolutionKernel``,
/// ``DepthwiseConvKernel``); this one exists so that 3-D convolutions do not fall back to the
/// reference loops (~20x slower than OpenVINO on a small 3-D block).
final class Gemm3DConvolutionKernel: Kernel {
    let reference: ConvolutionKernel

    init(reference: ConvolutionKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ConvolutionKernel, inputs.count == 2, ref.window.rank == 3,
              inputs.allSatisfy({ $0.elementType == .f32 }), inputs[1].shape.staticShape != nil, BLAS.isAvailable else { return nil }
        return Gemm3DConvolutionKernel(reference: ref)
    }

    var kernelName: String { "blas.conv3d" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    /// The geometry of one run.
    struct Shape3D {
        var batch = 0, groups = 1, cin = 0, cout = 0
        var i = [Int](), o = [Int](), k = [Int](), s = [Int](), d = [Int](), p = [Int]()
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0], w = inputs[1], y = outputs[0]
        var g = Shape3D()
        g.batch = x.shape[0]
        g.groups = reference.grouped ? w.shape[0] : 1
        g.cout = reference.grouped ? w.shape[1] : w.shape[0]
        g.cin = reference.grouped ? w.shape[2] : w.shape[1]
        g.i = Array(x.shape.suffix(3)); g.o = Array(y.shape.suffix(3)); g.k = Array(w.shape.suffix(3))
        g.s = reference.window.strides; g.d = reference.window.dilations
        g.p = reference.window.pads(input: g.i, kernel: g.k).begin
        let kdim = g.cin * g.k[0] * g.k[1] * g.k[2], ncols = g.o[0] * g.o[1] * g.o[2]
        let inPlane = g.i[0] * g.i[1] * g.i[2]
        let tile = Swift.min(ncols, Swift.max(64, (262_144 / Swift.max(kdim, 1)) / 16 * 16))
        let tiles = (ncols + tile - 1) / tile
        let threads = ctx.options.threads
        let workers = Swift.min(threads, tiles, Swift.max(1, g.cout * ncols * kdim / 2_000_000))
        let cols = ctx.scratch(slot: 0, byteCount: workers * kdim * tile * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
        let xp = UnsafePointer(x.pointer(Float.self)), wp = UnsafePointer(w.pointer(Float.self))
        let yp = y.pointer(Float.self)
        for n in 0..<g.batch {
            for grp in 0..<g.groups {
                let xg = xp + (n * g.groups + grp) * g.cin * inPlane
                let yg = yp + (n * g.groups + grp) * g.cout * ncols
                let wg = wp + grp * g.cout * kdim
                parallelFor(workers, threads: workers) { worker in
                    let buf = cols + worker * kdim * tile
                    for t in (tiles * worker / workers)..<(tiles * (worker + 1) / workers) {
                        let c0 = t * tile, c1 = Swift.min(ncols, c0 + tile)
                        Gemm3DConvolutionKernel.im2col(g, xg, buf, columns: c0..<c1)
                        BLAS.sgemm(m: g.cout, n: c1 - c0, k: kdim, a: wg, lda: kdim, b: buf, ldb: c1 - c0,
                                   c: yg + c0, ldc: ncols, threads: 1)
                    }
                }
            }
        }
    }

    /// Columns `columns` of the unfolded input `[C·KD·KH·KW, OD·OH·OW]` into `cols` (row stride
    /// `columns.count`); taps in the padding are 0. Output columns are walked one output row (fixed
    /// depth and height) at a time, so each tap row is a contiguous copy when the width stride is 1.
    static func im2col(_ g: Shape3D, _ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, columns: Range<Int>) {
        let rowStride = columns.count
        let base = cols - columns.lowerBound
        let (id, ih, iw) = (g.i[0], g.i[1], g.i[2]), (oh, ow) = (g.o[1], g.o[2])
        let (kd, kh, kw) = (g.k[0], g.k[1], g.k[2])
        for c in 0..<g.cin {
            let xc = x + c * id * ih * iw
            for a in 0..<kd {
                for b in 0..<kh {
                    for e in 0..<kw {
                        let row = base + (((c * kd + a) * kh + b) * kw + e) * rowStride
                        let off = e * g.d[2] - g.p[2]
                        // Output columns whose tap lands inside the input row.
                        let lo = Swift.max(0, ceilDiv(-off, g.s[2])), hi = Swift.min(ow, floorDiv(iw - 1 - off, g.s[2]) + 1)
                        var j = columns.lowerBound
                        while j < columns.upperBound {
                            let r = j / ow, x0 = j - r * ow, x1 = Swift.min(ow, x0 + columns.upperBound - j)
                            let od = r / oh, oy = r - od * oh
                            let dst = row + r * ow
                            let zd = od * g.s[0] - g.p[0] + a * g.d[0], zy = oy * g.s[1] - g.p[1] + b * g.d[1]
                            if zd < 0 || zd >= id || zy < 0 || zy >= ih || lo >= hi {
                                (dst + x0).update(repeating: 0, count: x1 - x0)
                            } else {
                                let src = xc + (zd * ih + zy) * iw + off
                                let s0 = Swift.min(Swift.max(lo, x0), x1), s1 = Swift.max(Swift.min(hi, x1), s0)
                                if s0 > x0 { (dst + x0).update(repeating: 0, count: s0 - x0) }
                                if g.s[2] == 1 {
                                    if s1 > s0 { (dst + s0).update(from: src + s0, count: s1 - s0) }
                                } else {
                                    for o in s0..<s1 { dst[o] = src[o &* g.s[2]] }
                                }
                                if x1 > s1 { (dst + s1).update(repeating: 0, count: x1 - s1) }
                            }
                            j += x1 - x0
                        }
                    }
                }
            }
        }
    }
}
