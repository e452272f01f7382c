/// Convolution ops: Convolution-1, GroupConvolution-1, ConvolutionBackpropData-1 and
/// GroupConvolutionBackpropData-1, with 1-D, 2-D and 3-D spatial dims.
enum ConvolutionOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("Convolution", 1) { node in try ConvolutionKernel(node, grouped: false) },
        OpDefinition("GroupConvolution", 1) { node in try ConvolutionKernel(node, grouped: true) },
        OpDefinition("ConvolutionBackpropData", 1) { node in try ConvolutionBackpropKernel(node, grouped: false) },
        OpDefinition("GroupConvolutionBackpropData", 1) { node in try ConvolutionBackpropKernel(node, grouped: true) },
    ]
}

/// Convolution-1 and GroupConvolution-1: `y[n, g*Co+o, p] = Σ_{c,k} x[n, g*Ci+c, p*s + k*d - pad] · w[g, o, c, k]`.
///
/// Weights are `[C_OUT, C_IN, K...]` (Convolution) or `[GROUPS, C_OUT/G, C_IN/G, K...]`
/// (GroupConvolution). Padding follows `auto_pad`; accumulation is in f32.
final class ConvolutionKernel: Kernel {
    let window: SpatialWindow
    let grouped: Bool
    let opName: String

    init(_ node: Node, grouped: Bool) throws {
        window = try SpatialWindow(node.attributes)
        self.grouped = grouped
        opName = grouped ? "GroupConvolution" : "Convolution"
    }

    /// Groups, output channels per group and input channels per group, from the weights shape.
    private func layout(_ w: [Dimension]) -> (groups: Dimension, outPerGroup: Dimension, inPerGroup: Dimension) {
        grouped ? (w[0], w[1], w[2]) : (.fixed(1), w[0], w[1])
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("\(opName) takes 2 inputs (data, weights), found \(inputs.count)") }
        let x = inputs[0], w = inputs[1]
        try requireFloat(x.elementType, opName)
        let r = window.rank
        let wRank = r + (grouped ? 3 : 2)
        if let wd = w.shape.dims, wd.count != wRank {
            throw OVIRError("\(opName): weights must have rank \(wRank) for \(r) spatial dims, found \(w.shape)")
        }
        if let xd = x.shape.dims, xd.count != r + 2 {
            throw OVIRError("\(opName): data must have rank \(r + 2) for \(r) spatial dims, found \(x.shape)")
        }
        guard let xd = x.shape.dims, let wd = w.shape.dims else {
            return [ValueInfo(x.elementType, PartialShape(Array(repeating: .dynamic, count: r + 2)))]
        }
        let (g, o, c) = layout(wd)
        if let gv = g.staticValue, let cv = c.staticValue, let xc = xd[1].staticValue, xc != gv * cv {
            throw OVIRError("\(opName): data has \(xc) channels but the weights expect \(gv) x \(cv)")
        }
        let outC: Dimension = (g.staticValue != nil && o.staticValue != nil) ? .fixed(g.staticValue! * o.staticValue!) : .dynamic
        var dims: [Dimension] = [xd[0], outC]
        let inSp = xd[2...].map(\.staticValue), kSp = wd[(wRank - r)...].map(\.staticValue)
        if inSp.allSatisfy({ $0 != nil }) && kSp.allSatisfy({ $0 != nil }) {
            dims += window.outputDims(input: inSp.map { $0! }, kernel: kSp.map { $0! }).map { .fixed($0) }
        } else {
            dims += Array(repeating: .dynamic, count: r)
        }
        return [ValueInfo(x.elementType, PartialShape(dims))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0], w = inputs[1]
        let r = window.rank
        let groups = grouped ? w.shape[0] : 1
        let outPerGroup = grouped ? w.shape[1] : w.shape[0]
        let inPerGroup = grouped ? w.shape[2] : w.shape[1]
        let kSp = Array(w.shape.suffix(r))
        let inSp = Array(x.shape.suffix(r))
        let outSp = Array(outputs[0].shape.suffix(r))
        let (pb, _) = window.pads(input: inSp, kernel: kSp)
        let geo = ConvGeometry(input: padTo3(inSp, fill: 1), output: padTo3(outSp, fill: 1), kernel: padTo3(kSp, fill: 1),
                               strides: padTo3(window.strides, fill: 1), dilations: padTo3(window.dilations, fill: 1),
                               padsBegin: padTo3(pb, fill: 0))
        let n = x.shape[0]
        let inPlane = inSp.reduce(1, *), outPlane = outSp.reduce(1, *), kPlane = kSp.reduce(1, *)
        withF32(x) { xp in
            withF32(w) { wp in
                writeF32(&outputs[0]) { yp in
                    yp.update(repeating: 0, count: n * groups * outPerGroup * outPlane)
                    for b in 0..<n {
                        for g in 0..<groups {
                            let xg = xp + (b * groups + g) * inPerGroup * inPlane
                            let yg = yp + (b * groups + g) * outPerGroup * outPlane
                            let wg = wp + g * outPerGroup * inPerGroup * kPlane
                            for oc in 0..<outPerGroup {
                                for ic in 0..<inPerGroup {
                                    geo.accumulate(x: xg + ic * inPlane, w: wg + (oc * inPerGroup + ic) * kPlane, y: yg + oc * outPlane)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One input channel / output channel pair of a convolution over (up to) three spatial dims.
struct ConvGeometry {
    let input: [Int], output: [Int], kernel: [Int], strides: [Int], dilations: [Int], padsBegin: [Int]
    /// `gatherRange(d, k)` for every dim and tap, computed once per layer run.
    private var gather: [[Range<Int>]] = []

    init(input: [Int], output: [Int], kernel: [Int], strides: [Int], dilations: [Int], padsBegin: [Int]) {
        (self.input, self.output, self.kernel, self.strides, self.dilations, self.padsBegin) =
            (input, output, kernel, strides, dilations, padsBegin)
        let ranges = (0..<3).map { d in (0..<kernel[d]).map { gatherRange(d, $0) } }
        gather = ranges
    }

    /// The outputs `o` of dim `d` whose tap `k` reads inside the input (`0 <= o*s + k*dil - pad < in`).
    @inline(__always)
    private func gatherRange(_ d: Int, _ k: Int) -> Range<Int> {
        let off = k * dilations[d] - padsBegin[d]
        let lo = Swift.max(0, ceilDiv(-off, strides[d]))
        let hi = Swift.min(output[d], floorDiv(input[d] - 1 - off, strides[d]) + 1)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// The inputs `i` of dim `d` whose tap `k` lands inside the output (`0 <= i*s + k*dil - pad < out`).
    @inline(__always)
    func scatterRange(_ d: Int, _ k: Int) -> Range<Int> {
        let off = k * dilations[d] - padsBegin[d]
        let lo = Swift.max(0, ceilDiv(-off, strides[d]))
        let hi = Swift.min(input[d], floorDiv(output[d] - 1 - off, strides[d]) + 1)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// Forward convolution of one channel pair: `y[o] += Σ_k w[k] · x[o*s + k*d - pad]`.
    func accumulate(x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let (s0, s1, s2) = (strides[0], strides[1], strides[2])
        let width = output[2]
        for k0 in 0..<kernel[0] {
            let r0 = gather[0][k0], off0 = k0 * dilations[0] - padsBegin[0]
            for k1 in 0..<kernel[1] {
                let r1 = gather[1][k1], off1 = k1 * dilations[1] - padsBegin[1]
                for k2 in 0..<kernel[2] {
                    let r2 = gather[2][k2], off2 = k2 * dilations[2] - padsBegin[2]
                    let wv = w[(k0 * kernel[1] + k1) * kernel[2] + k2]
                    if r2.isEmpty || r1.isEmpty { continue }
                    if s1 == 1 && s2 == 1 && off2 == 0 && input[2] == width {
                        // Whole rows in both tensors: the rows of r1 form one contiguous run.
                        for o0 in r0 {
                            let i0 = o0 * s0 + off0
                            let xs = x + (i0 * input[1] + r1.lowerBound + off1) * width
                            let ys = y + (o0 * output[1] + r1.lowerBound) * width
                            for t in 0..<(r1.count * width) { ys[t] += wv * xs[t] }
                        }
                        continue
                    }
                    for o0 in r0 {
                        let i0 = o0 * s0 + off0
                        for o1 in r1 {
                            let i1 = o1 * s1 + off1
                            let xrow = x + (i0 * input[1] + i1) * input[2] + off2
                            let yrow = y + (o0 * output[1] + o1) * output[2]
                            if s2 == 1 {
                                for o2 in r2 { yrow[o2] += wv * xrow[o2] }
                            } else {
                                for o2 in r2 { yrow[o2] += wv * xrow[o2 * s2] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Transposed convolution of one channel pair: `y[i*s + k*d - pad] += w[k] · x[i]`.
    func scatter(x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let (s0, s1, s2) = (strides[0], strides[1], strides[2])
        for k0 in 0..<kernel[0] {
            let r0 = scatterRange(0, k0), off0 = k0 * dilations[0] - padsBegin[0]
            for k1 in 0..<kernel[1] {
                let r1 = scatterRange(1, k1), off1 = k1 * dilations[1] - padsBegin[1]
                for k2 in 0..<kernel[2] {
                    let r2 = scatterRange(2, k2), off2 = k2 * dilations[2] - padsBegin[2]
                    let wv = w[(k0 * kernel[1] + k1) * kernel[2] + k2]
                    if r2.isEmpty { continue }
                    for i0 in r0 {
                        let o0 = i0 * s0 + off0
                        for i1 in r1 {
                            let o1 = i1 * s1 + off1
                            let xrow = x + (i0 * input[1] + i1) * input[2]
                            let yrow = y + (o0 * output[1] + o1) * output[2] + off2
                            for i2 in r2 { yrow[i2 * s2] += wv * xrow[i2] }
                        }
                    }
                }
            }
        }
    }
}

/// `ceil(a / b)` for `b > 0` and any sign of `a`.
@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }
/// `floor(a / b)` for `b > 0` and any sign of `a`.
@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
