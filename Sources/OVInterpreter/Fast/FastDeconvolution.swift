/// ConvolutionBackpropData-1 and GroupConvolutionBackpropData-1 (f32, 1-D to 3-D, with or without
/// the `output_shape` input) as a GEMM and a col2im scatter, per image and group:
///
/// - `cols[Co·K, pixels] = W[g]ᵀ · X[g]`: the weights `[Ci, Co, K...]` are read in place as a
///   `[Ci, Co·K]` matrix and transposed by the sgemm flag; X's channel planes are `[Ci, pixels]`.
/// - col2im: every row `(o, k)` of `cols` adds into output channel `o` at `i·s + k·d − pad`, exactly
///   the reference's scatter (``ConvGeometry/scatter``) with the channel sum already done by sgemm.
///
/// When no two taps land on one output element (every dim has `(k − 1)·d < s`, e.g. U-Net's 2x2
/// stride-2 up-sampling) the scatter stores instead of adding, and the output is zeroed first only
/// if some elements get no tap. Input rows are processed in tiles (about 256K floats of `cols`) so
/// the scratch stays in cache between the sgemm and the scatter; the scatter splits output channels
/// across threads (disjoint writes).
final class GemmDeconvolutionKernel: Kernel {
    let reference: ConvolutionBackpropKernel

    init(reference: ConvolutionBackpropKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ConvolutionBackpropKernel, inputs.count == 2 || inputs.count == 3,
              inputs[0].elementType == .f32, inputs[1].elementType == .f32, (1...3).contains(ref.window.rank),
              BLAS.isAvailable else { return nil }
        return GemmDeconvolutionKernel(reference: ref)
    }

    var kernelName: String { "blas.deconv" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    /// Tiles of whole input rows (the last spatial dim), about 256K floats of cols each.
    static func tileRows(m: Int, rowWidth: Int, rowCount: Int) -> Int {
        Swift.min(rowCount, Swift.max(1, 262_144 / Swift.max(1, m * rowWidth)))
    }

    /// `run`'s scratch: one tile of `cols`.
    func scratchBytes(_ inputs: [ValueInfo], _ outputs: [ValueInfo], _ options: CompileOptions) -> Int {
        let r = reference.window.rank
        guard let xs = inputs.first?.shape.staticShape, inputs.count >= 2, let ws = inputs[1].shape.staticShape,
              xs.count == r + 2, ws.count >= r + 2 else { return 0 }
        let outPerGroup = reference.grouped ? ws[2] : ws[1]
        let inSp = Array(xs.suffix(r)), kPlane = ws.suffix(r).reduce(1, *)
        let rowWidth = inSp.last ?? 1, rowCount = inSp.dropLast().reduce(1, *)
        let m = outPerGroup * kPlane
        return ExecutionContext.aligned(m * Self.tileRows(m: m, rowWidth: rowWidth, rowCount: rowCount) * rowWidth
                                        * MemoryLayout<Float>.stride)
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0], w = inputs[1]
        let r = reference.window.rank, grouped = reference.grouped
        let groups = grouped ? w.shape[0] : 1
        let inPerGroup = grouped ? w.shape[1] : w.shape[0]
        let outPerGroup = grouped ? w.shape[2] : w.shape[1]
        guard x.shape[1] == groups * inPerGroup else {
            throw OVIRError("\(reference.opName): data has \(x.shape[1]) channels but the weights expect \(groups) x \(inPerGroup)")
        }
        let kSp = Array(w.shape.suffix(r)), inSp = Array(x.shape.suffix(r)), outSp = Array(outputs[0].shape.suffix(r))
        let pb = reference.padsBegin(input: inSp, kernel: kSp, output: outSp, hasOutputShape: inputs.count == 3)
        let geo = ConvGeometry(input: padTo3(inSp, fill: 1), output: padTo3(outSp, fill: 1), kernel: padTo3(kSp, fill: 1),
                                 strides: padTo3(reference.window.strides, fill: 1),
                                 dilations: padTo3(reference.window.dilations, fill: 1), padsBegin: padTo3(pb, fill: 0))
        let batch = x.shape[0]
        let yp = outputs[0].pointer(Float.self)
        let outPlane = geo.outPlane
        if outputs[0].count == 0 { return }
        if geo.inPlane == 0 || inPerGroup == 0 || geo.kPlane == 0 {
            yp.update(repeating: 0, count: outputs[0].count)
            return
        }
        let xp = UnsafePointer(x.pointer(Float.self)), wp = UnsafePointer(w.pointer(Float.self))
        let m = outPerGroup * geo.kPlane
        let rowWidth = geo.input[2], rowCount = geo.input[0] * geo.input[1]
        let tileRows = Self.tileRows(m: m, rowWidth: rowWidth, rowCount: rowCount)
        let cols = ctx.scratch(slot: 0, byteCount: m * tileRows * rowWidth * MemoryLayout<Float>.stride)
            .assumingMemoryBound(to: Float.self)
        let threads = ctx.options.threads
        let store = geo.overlapFree, zeroFirst = !geo.overlapFree || !geo.coversOutput
        for n in 0..<batch {
            for grp in 0..<groups {
                let xg = xp + (n * groups + grp) * inPerGroup * geo.inPlane
                let yg = yp + (n * groups + grp) * outPerGroup * outPlane
                let wg = wp + grp * inPerGroup * m
                var row0 = 0
                while row0 < rowCount {
                    let rows = Swift.min(tileRows, rowCount - row0), ncols = rows * rowWidth
                    BLAS.sgemm(transA: true, m: m, n: ncols, k: inPerGroup, a: wg, lda: m, b: xg + row0 * rowWidth,
                               ldb: geo.inPlane, c: cols, ldc: ncols, threads: threads)
                    let first = row0 == 0
                    let t = Swift.min(threads, Swift.max(1, m * ncols / 65_536))
                    parallelChunks(outPerGroup, threads: t) { oc in
                        if first && zeroFirst {
                            (yg + oc.lowerBound * outPlane).update(repeating: 0, count: oc.count * outPlane)
                        }
                        for o in oc {
                            geo.col2im(cols + o * geo.kPlane * ncols, ldc: ncols, rows: row0..<(row0 + rows),
                                       y: yg + o * outPlane, store: store)
                        }
                    }
                    row0 += rows
                }
            }
        }
    }
}

/// The geometry of a transposed convolution over three spatial dims (fewer padded in front with 1s).
/// The transposed convolution's view of the reference's ``ConvGeometry`` (built the same way as
/// ConvolutionBackpropData's reference builds it; ``ConvGeometry/scatterRange(_:_:)`` is shared).
extension ConvGeometry {
    var inPlane: Int { input.reduce(1, *) }
    var outPlane: Int { output.reduce(1, *) }
    var kPlane: Int { kernel.reduce(1, *) }

    /// No output element receives two taps: in every dim the kernel's footprint fits in one stride.
    var overlapFree: Bool {
        for d in 0..<3 where (kernel[d] - 1) * dilations[d] >= strides[d] { return false }
        return true
    }

    /// Every output element receives a tap (valid when `overlapFree`): the taps tile each dim without
    /// gaps from before the first output element to past the last.
    var coversOutput: Bool {
        for d in 0..<3 {
            if dilations[d] != 1 || kernel[d] != strides[d] || padsBegin[d] < 0 { return false }
            let reach: Int = input[d] * strides[d]
            if output[d] + padsBegin[d] > reach { return false }
        }
        return true
    }

    /// Scatters one output channel's rows of `cols` (`[K0·K1·K2, rows·W]`, row stride `ldc`, for the
    /// input rows `rows` of the flattened `[D·H]` row index) into that channel's output plane `y`:
    /// `y[i*s + k*d - pad] += cols[k, i]` (or `=` with `store`).
    func col2im(_ cols: UnsafePointer<Float>, ldc: Int, rows: Range<Int>, y: UnsafeMutablePointer<Float>, store: Bool) {
        let (s0, s1, s2) = (strides[0], strides[1], strides[2])
        let width = input[2]
        for k0 in 0..<kernel[0] {
            let off0 = k0 * dilations[0] - padsBegin[0]
            for k1 in 0..<kernel[1] {
                let off1 = k1 * dilations[1] - padsBegin[1]
                for k2 in 0..<kernel[2] {
                    let r2 = scatterRange(2, k2)
                    if r2.isEmpty { continue }
                    let off2 = k2 * dilations[2] - padsBegin[2]
                    let crow = cols + ((k0 * kernel[1] + k1) * kernel[2] + k2) * ldc - rows.lowerBound * width
                    for row in rows {
                        let i0 = row / input[1], i1 = row - i0 * input[1]
                        let o0 = i0 * s0 + off0, o1 = i1 * s1 + off1
                        if o0 < 0 || o0 >= output[0] || o1 < 0 || o1 >= output[1] { continue }
                        let src = crow + row * width
                        let dst = y + (o0 * output[1] + o1) * output[2] + off2
                        let lo = r2.lowerBound, hi = r2.upperBound
                        if store {
                            if s2 == 1 {
                                (dst + lo).update(from: src + lo, count: hi - lo)
                            } else {
                                for i in lo..<hi { dst[i &* s2] = src[i] }
                            }
                        } else if s2 == 1 {
                            for i in lo..<hi { dst[i] += src[i] }
                        } else {
                            for i in lo..<hi { dst[i &* s2] += src[i] }
                        }
                    }
                }
            }
        }
    }
}
