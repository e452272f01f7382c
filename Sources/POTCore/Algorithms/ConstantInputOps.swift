import OVIR

/// The few numerics bias correction needs without an interpreter: FakeQuantize on constants, and the
/// per-channel mean output of a convolution or MatMul whose input is constant per channel (POT's
/// FastBiasCorrection feeds such an input to a one-op model, `_calculate_bias_shift`).
package enum ConstantInputOps {
    /// FakeQuantize-1 (docs.openvino.ai opset1 FakeQuantize) of `x` with broadcast range constants.
    package static func fakeQuantize(_ x: Tensor, ranges: [Tensor], levels: Int) throws -> [Double] {
        let v = x.doubleValues()
        let r = ranges.map { $0.doubleValues() }
        let shape = x.shape, rank = shape.count
        // numpy broadcasting of each range constant against x: per dim of x, the step of the range's
        // flat index when that coordinate advances (0 along broadcast dims).
        func broadcastSteps(_ t: Tensor) -> [Int] {
            var steps = [Int](repeating: 0, count: rank)
            guard t.count > 1 else { return steps }
            let offset = rank - t.shape.count
            var tStride = 1
            for d in stride(from: rank - 1, through: 0, by: -1) {
                let td = d - offset
                guard td >= 0 else { break }
                if t.shape[td] > 1 { steps[d] = tStride }
                tStride *= t.shape[td]
            }
            return steps
        }
        let steps = ranges.map(broadcastSteps)
        // Exact (f64) arithmetic, ties to even. POT's OpenVINO evaluates this in f32 with its own
        // operation order: weights the saturation fix halved put each channel's largest weight exactly
        // on a rounding tie (±m/2 in [-m, m] is level 63.5 or 190.5), and OpenVINO resolves some of
        // those ties the other way, so a corrected bias can differ from POT's by one level of one weight.
        let l = Double(levels - 1)
        var out = [Double]()
        out.reserveCapacity(v.count)
        var coord = [Int](repeating: 0, count: rank)
        var idx = [0, 0, 0, 0]
        for i in v.indices {
            let il = r[0][idx[0]], ih = r[1][idx[1]], ol = r[2][idx[2]], oh = r[3][idx[3]]
            let x = v[i]
            if x <= Swift.min(il, ih) { out.append(ol) }
            else if x > Swift.max(il, ih) { out.append(oh) }
            else { out.append(((x - il) / (ih - il) * l).rounded(.toNearestOrEven) / l * (oh - ol) + ol) }
            // advance the coordinate odometer and the four range indices with it
            var d = rank - 1
            while d >= 0 {
                coord[d] += 1
                for j in 0..<4 { idx[j] += steps[j][d] }
                if coord[d] < shape[d] { break }
                for j in 0..<4 { idx[j] -= steps[j][d] * shape[d] }
                coord[d] = 0
                d -= 1
            }
        }
        return out
    }

    /// Per spatial dim: for each kernel tap, how many output positions read an in-bounds input.
    static func tapCounts(input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int) -> (counts: [Int], outputs: Int) {
        let span = (kernel - 1) * dilation + 1
        let outputs = (input + padBegin + padEnd - span) / stride + 1
        var counts = Array(repeating: 0, count: kernel)
        for o in 0..<Swift.max(outputs, 0) {
            for k in 0..<kernel {
                let idx = o * stride - padBegin + k * dilation
                if idx >= 0 && idx < input { counts[k] += 1 }
            }
        }
        return (counts, outputs)
    }

    /// Explicit pads for an `auto_pad` mode (same_upper / same_lower / valid / explicit).
    static func pads(_ node: Node, inputSpatial: [Int], kernel: [Int], strides: [Int], dilations: [Int]) throws -> ([Int], [Int]) {
        let mode = node.attributes["auto_pad"] ?? "explicit"
        let n = inputSpatial.count
        switch mode {
        case "valid": return (Array(repeating: 0, count: n), Array(repeating: 0, count: n))
        case "same_upper", "same_lower":
            var b: [Int] = [], e: [Int] = []
            for d in 0..<n {
                let out = (inputSpatial[d] + strides[d] - 1) / strides[d]
                let total = Swift.max((out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - inputSpatial[d], 0)
                let lo = mode == "same_upper" ? total / 2 : (total + 1) / 2
                b.append(lo)
                e.append(total - lo)
            }
            return (b, e)
        default:
            return (try node.attributes.ints("pads_begin", default: Array(repeating: 0, count: n)),
                    try node.attributes.ints("pads_end", default: Array(repeating: 0, count: n)))
        }
    }

    /// The mean over output positions of each output channel of (Group)Convolution `node` with weights
    /// `w` (`[O, I, k…]` or `[G, O/G, I/G, k…]`) on an input `[N, C, spatial…]` equal to `means[c]` everywhere.
    package static func convolutionMeans(_ node: Node, weights w: [Double], weightsShape: [Int], inputShape: [Int],
                                         means: [Double]) throws -> [Double] {
        let grouped = node.type == "GroupConvolution"
        let groups = grouped ? weightsShape[0] : 1
        let ws = grouped ? Array(weightsShape.dropFirst()) : weightsShape
        let outPerGroup = ws[0], inPerGroup = ws[1], kernel = Array(ws.dropFirst(2))
        let spatial = Array(inputShape.dropFirst(2))
        guard spatial.count == kernel.count, groups * inPerGroup == means.count else {
            throw OVIRError("\(node.label): weights \(weightsShape) do not fit an input \(inputShape) with \(means.count) channels")
        }
        let ones = Array(repeating: 1, count: kernel.count)
        let strides = try node.attributes.ints("strides", default: ones)
        let dilations = try node.attributes.ints("dilations", default: ones)
        let (pb, pe) = try pads(node, inputSpatial: spatial, kernel: kernel, strides: strides, dilations: dilations)
        var perDim: [[Int]] = [], positions = 1
        for d in kernel.indices {
            let t = tapCounts(input: spatial[d], kernel: kernel[d], stride: strides[d], dilation: dilations[d], padBegin: pb[d], padEnd: pe[d])
            perDim.append(t.counts)
            positions *= t.outputs
        }
        // weight of each kernel tap: the product over dims of its in-bounds count
        let taps = kernel.reduce(1, *)
        var tapWeight = [Double](repeating: 0, count: taps)
        for t in 0..<taps {
            var rem = t, c = 1
            for d in kernel.indices.reversed() {
                c *= perDim[d][rem % kernel[d]]
                rem /= kernel[d]
            }
            tapWeight[t] = Double(c)
        }
        var out: [Double] = []
        for g in 0..<groups {
            for o in 0..<outPerGroup {
                var s = 0.0
                for i in 0..<inPerGroup {
                    let base = ((g * outPerGroup + o) * inPerGroup + i) * taps
                    var ws = 0.0
                    for t in 0..<taps { ws += w[base + t] * tapWeight[t] }
                    s += ws * means[g * inPerGroup + i]
                }
                out.append(s / Double(Swift.max(positions, 1)))
            }
        }
        return out
    }

    /// The output features of MatMul `node` (constant weights on input 1) for rows equal to `means`.
    package static func matMulMeans(_ node: Node, weights w: [Double], weightsShape: [Int], means: [Double]) throws -> [Double] {
        guard weightsShape.count == 2 else { throw OVIRError("\(node.label): bias correction needs 2-D MatMul weights, found \(weightsShape)") }
        let tb = try node.attributes.bool("transpose_b", default: false)
        let k = tb ? weightsShape[1] : weightsShape[0], n = tb ? weightsShape[0] : weightsShape[1]
        guard k == means.count else { throw OVIRError("\(node.label): weights \(weightsShape) do not fit \(means.count) input features") }
        return (0..<n).map { j in (0..<k).reduce(0.0) { $0 + means[$1] * w[tb ? j * k + $1 : $1 * n + j] } }
    }
}
