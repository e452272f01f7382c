/// BatchNormInference-1 and -5: `y = gamma · (x - mean) / sqrt(variance + epsilon) + beta` per
/// channel (dim 1 of `x`).
///
/// Input order differs by version: v1 takes `(gamma, beta, data, mean, variance)`, v5 takes
/// `(data, gamma, beta, mean, variance)`.
final class BatchNormKernel: Kernel {
    let epsilon: Float
    let dataIndex: Int, gammaIndex: Int, betaIndex: Int

    init(_ node: Node, version: Int) throws {
        epsilon = try node.attributes.float("epsilon")
        (dataIndex, gammaIndex, betaIndex) = version == 1 ? (2, 0, 1) : (0, 1, 2)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 5 else { throw OVIRError("BatchNormInference takes 5 inputs, found \(inputs.count)") }
        let x = inputs[dataIndex]
        try requireFloat(x.elementType, "BatchNormInference")
        if let r = x.shape.dims?.count, r < 2 {
            throw OVIRError("BatchNormInference: data must have rank >= 2, found \(x.shape)")
        }
        return [ValueInfo(x.elementType, x.shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[dataIndex]
        let c = x.shape[1]
        let params = [inputs[gammaIndex], inputs[betaIndex], inputs[3], inputs[4]].map { $0.floatValues() }
        for (name, p) in zip(["gamma", "beta", "mean", "variance"], params) where p.count != c {
            throw OVIRError("BatchNormInference: \(name) must hold \(c) values (one per channel), found \(p.count)")
        }
        let (gamma, beta, mean, variance) = (params[0], params[1], params[2], params[3])
        let scale = (0..<c).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
        let n = x.shape[0], plane = x.shape[2...].reduce(1, *)
        withF32(x) { xp in
            writeF32(&outputs[0]) { yp in
                for b in 0..<n {
                    for ch in 0..<c {
                        let base = (b * c + ch) * plane
                        for i in 0..<plane { yp[base + i] = (xp[base + i] - mean[ch]) * scale[ch] + beta[ch] }
                    }
                }
            }
        }
    }
}

/// GroupNormalization-12: the channels of `[N, C, ...]` split into `num_groups` groups; each
/// (batch, group) is normalized to zero mean and unit variance (`/ sqrt(variance + epsilon)`),
/// then scaled and shifted per channel by `scale` and `bias`.
final class GroupNormKernel: Kernel {
    let groups: Int
    let epsilon: Float

    init(_ node: Node) throws {
        groups = try node.attributes.int("num_groups")
        epsilon = try node.attributes.float("epsilon")
        guard groups > 0 else { throw OVIRError("GroupNormalization: num_groups must be positive, found \(groups)") }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 else { throw OVIRError("GroupNormalization takes 3 inputs (data, scale, bias), found \(inputs.count)") }
        let x = inputs[0]
        try requireFloat(x.elementType, "GroupNormalization")
        if let dims = x.shape.dims {
            guard dims.count >= 2 else { throw OVIRError("GroupNormalization: data must have rank >= 2, found \(x.shape)") }
            if let c = dims[1].staticValue, c % groups != 0 {
                throw OVIRError("GroupNormalization: \(c) channels cannot be split into \(groups) groups")
            }
        }
        return [ValueInfo(x.elementType, x.shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let n = x.shape[0], c = x.shape[1], plane = x.shape[2...].reduce(1, *)
        let scale = inputs[1].floatValues(), bias = inputs[2].floatValues()
        guard scale.count == c, bias.count == c else {
            throw OVIRError("GroupNormalization: scale and bias must hold \(c) values, found \(scale.count) and \(bias.count)")
        }
        let perGroup = c / groups
        let size = perGroup * plane
        let eps = epsilon, groups = self.groups
        withF32(x) { xp in
            writeF32(&outputs[0]) { yp in
                for b in 0..<n {
                    for g in 0..<groups {
                        let base = (b * groups + g) * size
                        var mean: Float = 0
                        for i in 0..<size { mean += xp[base + i] }
                        mean /= Float(size)
                        var variance: Float = 0
                        for i in 0..<size { let d = xp[base + i] - mean; variance += d * d }
                        variance /= Float(size)
                        let inv = 1 / (variance + eps).squareRoot()
                        for k in 0..<perGroup {
                            let ch = g * perGroup + k
                            let off = base + k * plane
                            for i in 0..<plane { yp[off + i] = (xp[off + i] - mean) * inv * scale[ch] + bias[ch] }
                        }
                    }
                }
            }
        }
    }
}
