#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Normalization ops: MVN-1, MVN-6, NormalizeL2-1, BatchNormInference-1 and -5,
/// GroupNormalization-12 and LRN-1.
enum NormalizationOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("MVN", 1) { node in try MVNKernel(node, version: 1) },
        OpDefinition("MVN", 6) { node in try MVNKernel(node, version: 6) },
        OpDefinition("NormalizeL2", 1) { node in try NormalizeL2Kernel(node) },
        OpDefinition("BatchNormInference", 1) { node in try BatchNormKernel(node, version: 1) },
        OpDefinition("BatchNormInference", 5) { node in try BatchNormKernel(node, version: 5) },
        OpDefinition("GroupNormalization", 12) { node in try GroupNormKernel(node) },
        OpDefinition("LRN", 1) { node in try LRNKernel(node) },
    ]
}

/// The elements of a tensor grouped by the index they keep when `axes` are reduced: group `g`
/// collects every element whose index agrees with `g` outside `axes`.
struct AxisGroups {
    let shape: [Int]
    let inStrides: [Int]
    let groupStrides: [Int]
    let groupCount: Int
    /// Elements per group.
    let groupSize: Int

    init(shape: [Int], axes: Set<Int>) {
        self.shape = shape
        var kept = shape
        for a in axes { kept[a] = 1 }
        let ks = contiguousStrides(kept)
        inStrides = contiguousStrides(shape)
        groupStrides = shape.indices.map { axes.contains($0) ? 0 : ks[$0] }
        groupCount = kept.reduce(1, *)
        groupSize = axes.reduce(1) { $0 * shape[$1] }
    }

    /// Calls `body(elementIndex, groupIndex)` for every element, in memory order.
    @inline(__always)
    func forEach(_ body: (Int, Int) -> Void) {
        forEachBroadcast(shape, inStrides, groupStrides) { _, i, g in body(i, g) }
    }

    /// Per-group mean and (population) variance of `x`, the variance from a second pass over `x - mean`.
    func meanAndVariance(_ x: UnsafePointer<Float>) -> (mean: [Float], variance: [Float]) {
        var mean = [Float](repeating: 0, count: groupCount)
        var variance = [Float](repeating: 0, count: groupCount)
        forEach { i, g in mean[g] += x[i] }
        let n = Float(groupSize)
        for g in 0..<groupCount { mean[g] /= n }
        forEach { i, g in
            let d = x[i] - mean[g]
            variance[g] += d * d
        }
        for g in 0..<groupCount { variance[g] /= n }
        return (mean, variance)
    }
}

/// MVN-1 and MVN-6: mean-variance normalization, `y = (x - mean) / sqrt(variance + eps)` over the
/// reduced axes (MVN-6 `eps_mode="outside_sqrt"`: `/ (sqrt(variance) + eps)`; without
/// `normalize_variance`: `y = x - mean`).
///
/// MVN-1 reduces over `reduction_axes`, or over all dims after the batch (`across_channels`) or
/// after the channel dim; MVN-6 over the axes of its second input (negative allowed).
final class MVNKernel: Kernel {
    let version: Int
    let normalizeVariance: Bool
    let eps: Float
    let epsInsideSqrt: Bool
    let acrossChannels: Bool
    let reductionAxes: [Int]?

    init(_ node: Node, version: Int) throws {
        let a = node.attributes
        self.version = version
        normalizeVariance = try a.bool("normalize_variance", default: version == 1 ? true : false)
        eps = try a.float("eps")
        if version == 6 {
            epsInsideSqrt = try a.choice("eps_mode", ["inside_sqrt", "outside_sqrt"]) == "inside_sqrt"
            acrossChannels = false
            reductionAxes = nil
        } else {
            epsInsideSqrt = true
            acrossChannels = try a.bool("across_channels", default: false)
            reductionAxes = a.has("reduction_axes") ? try a.ints("reduction_axes") : nil
        }
    }

    private func axes(rank: Int, axesInput: Tensor?) throws -> Set<Int> {
        if version == 6 {
            guard let axesInput else { throw OVIRError("MVN-6: the axes input must be known") }
            return Set(try normalizeAxes(intValues(axesInput), rank: rank, "MVN"))
        }
        if let reductionAxes, !reductionAxes.isEmpty { return Set(try normalizeAxes(reductionAxes, rank: rank, "MVN")) }
        return Set((acrossChannels ? 1 : 2)..<Swift.max(rank, acrossChannels ? 1 : 2))
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == (version == 6 ? 2 : 1) else {
            throw OVIRError("MVN-\(version) takes \(version == 6 ? 2 : 1) input(s), found \(inputs.count)")
        }
        try requireFloat(inputs[0].elementType, "MVN")
        if let r = inputs[0].shape.dims?.count, version == 1 || inputs[1].value != nil {
            _ = try axes(rank: r, axesInput: version == 6 ? inputs[1].value : nil)
        }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let groups = AxisGroups(shape: x.shape, axes: try axes(rank: x.rank, axesInput: inputs.count > 1 ? inputs[1] : nil))
        let (normalize, eps, inside) = (normalizeVariance, eps, epsInsideSqrt)
        withF32(x) { xp in
            writeF32(&outputs[0]) { yp in
                let (mean, variance) = groups.meanAndVariance(xp)
                let scale: [Float] = variance.map { v in
                    guard normalize else { return 1 }
                    return 1 / (inside ? (v + eps).squareRoot() : v.squareRoot() + eps)
                }
                groups.forEach { i, g in yp[i] = (xp[i] - mean[g]) * scale[g] }
            }
        }
    }
}

/// NormalizeL2-1: `y = x / sqrt(max(Σ x², eps))` (`eps_mode="max"`) or `x / sqrt(Σ x² + eps)`
/// (`eps_mode="add"`), the sum over the axes of the second input.
final class NormalizeL2Kernel: Kernel {
    let eps: Float
    let epsAdd: Bool

    init(_ node: Node) throws {
        eps = try node.attributes.float("eps")
        epsAdd = try node.attributes.choice("eps_mode", ["add", "max"]) == "add"
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("NormalizeL2 takes 2 inputs (data, axes), found \(inputs.count)") }
        try requireFloat(inputs[0].elementType, "NormalizeL2")
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let groups = AxisGroups(shape: x.shape, axes: Set(try normalizeAxes(intValues(inputs[1]), rank: x.rank, "NormalizeL2")))
        let (eps, add) = (eps, epsAdd)
        withF32(x) { xp in
            writeF32(&outputs[0]) { yp in
                var sum = [Float](repeating: 0, count: groups.groupCount)
                groups.forEach { i, g in sum[g] += xp[i] * xp[i] }
                let norm = sum.map { (add ? $0 + eps : Swift.max($0, eps)).squareRoot() }
                groups.forEach { i, g in yp[i] = xp[i] / norm[g] }
            }
        }
    }
}

/// LRN-1: `y = x / (bias + alpha / size^len(axes) · Σ x²)^beta`, the sum over a window of `size`
/// along each of `axes` centred on the element (`(size-1)/2` before, `ceil((size-1)/2)` after,
/// clipped to the tensor).
final class LRNKernel: Kernel {
    let alpha: Float, beta: Float, bias: Float
    let size: Int

    init(_ node: Node) throws {
        let a = node.attributes
        alpha = try a.float("alpha")
        beta = try a.float("beta")
        bias = try a.float("bias")
        size = try a.int("size")
        guard size > 0 else { throw OVIRError("LRN: attribute 'size' must be positive, found \(size)") }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("LRN takes 2 inputs (data, axes), found \(inputs.count)") }
        try requireFloat(inputs[0].elementType, "LRN")
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let shape = x.shape
        let axes = Array(Set(try normalizeAxes(intValues(inputs[1]), rank: x.rank, "LRN"))).sorted()
        let strides = contiguousStrides(shape)
        let before = (size - 1) / 2, after = size / 2
        let scale = alpha / Float(pow(Double(size), Double(axes.count)))
        let total = x.count
        let (bias, beta) = (bias, beta)
        withF32(x) { xp in
            writeF32(&outputs[0]) { yp in
                var index = [Int](repeating: 0, count: shape.count)
                for flat in 0..<total {
                    // Sum of squares over the box around `index` spanned by `axes`.
                    func box(_ k: Int, _ offset: Int) -> Float {
                        if k == axes.count { return xp[offset] * xp[offset] }
                        let a = axes[k]
                        let lo = Swift.max(0, index[a] - before), hi = Swift.min(shape[a] - 1, index[a] + after)
                        var s: Float = 0
                        if lo <= hi {
                            for j in lo...hi { s += box(k + 1, offset + (j - index[a]) * strides[a]) }
                        }
                        return s
                    }
                    let sum = box(0, flat)
                    yp[flat] = xp[flat] / Float(pow(Double(bias + scale * sum), Double(beta)))
                    var d = shape.count - 1
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < shape[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
    }
}
