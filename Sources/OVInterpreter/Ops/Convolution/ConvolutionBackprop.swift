/// ConvolutionBackpropData-1 and GroupConvolutionBackpropData-1 (transposed convolution):
/// `y[n, g*Co+o, i*s + k*d - pad] += x[n, g*Ci+c, i] · w[g, c, o, k]`.
///
/// Weights are `[C_IN, C_OUT, K...]` or `[GROUPS, C_IN/G, C_OUT/G, K...]`. Without the optional
/// `output_shape` input the output spatial size is `s*(in-1) + (k-1)*d + 1 - pads_begin - pads_end
/// + output_padding` (auto_pad same/valid then pad nothing); with it, the output has that size and
/// same_upper/same_lower split the total padding `s*(in-1) + (k-1)*d + 1 + output_padding - out`
/// with the odd element at the end/beginning.
final class ConvolutionBackpropKernel: Kernel {
    let window: SpatialWindow
    let outputPadding: [Int]
    let grouped: Bool
    let opName: String

    init(_ node: Node, grouped: Bool) throws {
        window = try SpatialWindow(node.attributes)
        outputPadding = try node.attributes.ints("output_padding", default: Array(repeating: 0, count: window.rank))
        guard outputPadding.count == window.rank else {
            throw OVIRError("attribute 'output_padding': expected \(window.rank) values, found \(outputPadding)")
        }
        self.grouped = grouped
        opName = grouped ? "GroupConvolutionBackpropData" : "ConvolutionBackpropData"
    }

    /// Pads at the beginning of each spatial dim, given input, kernel and output spatial sizes.
    func padsBegin(input: [Int], kernel: [Int], output: [Int], hasOutputShape: Bool) -> [Int] {
        switch window.autoPad {
        case .explicit: return window.padsBegin
        case .valid: return Array(repeating: 0, count: window.rank)
        case .sameUpper, .sameLower:
            guard hasOutputShape else { return Array(repeating: 0, count: window.rank) }
            return (0..<window.rank).map { d in
                let total = Swift.max(0, window.strides[d] * (input[d] - 1) + (kernel[d] - 1) * window.dilations[d] + 1
                                          + outputPadding[d] - output[d])
                return window.autoPad == .sameUpper ? total / 2 : total - total / 2
            }
        }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 || inputs.count == 3 else {
            throw OVIRError("\(opName) takes 2 or 3 inputs (data, weights, output_shape), found \(inputs.count)")
        }
        let x = inputs[0], w = inputs[1]
        try requireFloat(x.elementType, opName)
        let r = window.rank
        let wRank = r + (grouped ? 3 : 2)
        if let wd = w.shape.dims, wd.count != wRank {
            throw OVIRError("\(opName): weights must have rank \(wRank) for \(r) spatial dims, found \(w.shape)")
        }
        guard let xd = x.shape.dims, let wd = w.shape.dims else {
            return [ValueInfo(x.elementType, PartialShape(Array(repeating: .dynamic, count: r + 2)))]
        }
        guard xd.count == r + 2 else {
            throw OVIRError("\(opName): data must have rank \(r + 2) for \(r) spatial dims, found \(x.shape)")
        }
        let g = grouped ? wd[0].staticValue : 1
        let outPerGroup = wd[grouped ? 2 : 1].staticValue
        let outC: Dimension = (g != nil && outPerGroup != nil) ? .fixed(g! * outPerGroup!) : .dynamic
        var dims: [Dimension] = [xd[0], outC]
        if inputs.count == 3 {
            if let v = inputs[2].value {
                let sizes = intValues(v)
                guard sizes.count == r else {
                    throw OVIRError("\(opName): output_shape must hold \(r) spatial sizes, found \(sizes)")
                }
                dims += sizes.map { .fixed($0) }
            } else {
                dims += Array(repeating: .dynamic, count: r)
            }
            return [ValueInfo(x.elementType, PartialShape(dims))]
        }
        let inSp = xd[2...].map(\.staticValue), kSp = wd[(wRank - r)...].map(\.staticValue)
        for d in 0..<r {
            guard let i = inSp[d], let k = kSp[d] else { dims.append(.dynamic); continue }
            let explicit = window.autoPad == .explicit
            let pads = explicit ? window.padsBegin[d] + window.padsEnd[d] : 0
            let o = window.strides[d] * (i - 1) + (k - 1) * window.dilations[d] + 1 - pads + outputPadding[d]
            guard o >= 0 else { throw OVIRError("\(opName): computed a negative output size \(o) for spatial dim \(d)") }
            dims.append(.fixed(o))
        }
        return [ValueInfo(x.elementType, PartialShape(dims))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0], w = inputs[1]
        let r = window.rank
        let groups = grouped ? w.shape[0] : 1
        let inPerGroup = grouped ? w.shape[1] : w.shape[0]
        let outPerGroup = grouped ? w.shape[2] : w.shape[1]
        let kSp = Array(w.shape.suffix(r)), inSp = Array(x.shape.suffix(r)), outSp = Array(outputs[0].shape.suffix(r))
        guard x.shape[1] == groups * inPerGroup else {
            throw OVIRError("\(opName): data has \(x.shape[1]) channels but the weights expect \(groups) x \(inPerGroup)")
        }
        let pb = padsBegin(input: inSp, kernel: kSp, output: outSp, hasOutputShape: inputs.count == 3)
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
                            let wg = wp + g * inPerGroup * outPerGroup * kPlane
                            for ic in 0..<inPerGroup {
                                for oc in 0..<outPerGroup {
                                    geo.scatter(x: xg + ic * inPlane, w: wg + (ic * outPerGroup + oc) * kPlane, y: yg + oc * outPlane)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
