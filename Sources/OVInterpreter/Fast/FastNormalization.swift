/// Softmax-1/8 (f32, not LogSoftmax) and MVN-1/6 (f32, reduction over trailing axes) as vector loops.
final class SIMDSoftmaxKernel: Kernel {
    let reference: SoftmaxKernel

    init(reference: SoftmaxKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? SoftmaxKernel, !ref.log, inputs.count == 1, inputs[0].elementType == .f32 else { return nil }
        return SIMDSoftmaxKernel(reference: ref)
    }

    var kernelName: String { "simd.softmax" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let ax = try normalizeAxes([reference.axis], rank: x.rank, "Softmax")[0]
        let n = x.rank == 0 ? 1 : x.shape[ax]
        let outer = x.rank == 0 ? 1 : x.shape[..<ax].reduce(1, *)
        let inner = x.rank == 0 ? 1 : x.shape[(ax + 1)...].reduce(1, *)
        let xp = UnsafePointer(x.pointer(Float.self)), yp = outputs[0].pointer(Float.self)
        let t = Swift.min(ctx.options.threads, Swift.max(1, x.count / 32_768))
        if inner == 1 {
            parallelFor(outer, threads: t) { o in Self.row(xp + o * n, yp + o * n, n) }
        } else {
            parallelFor(outer, threads: t) { o in Self.strided(xp + o * n * inner, yp + o * n * inner, n, inner) }
        }
    }

    /// Softmax of one contiguous row.
    static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var m = -Float.infinity
        for k in 0..<n { m = Swift.max(m, x[k]) }
        for k in 0..<n { y[k] = VMath.exp(x[k] - m) }
        var sum: Float = 0
        for k in 0..<n { sum += y[k] }
        for k in 0..<n { y[k] /= sum }
    }

    /// Softmax along the middle axis of `[n, inner]`: vector work along the contiguous inner axis.
    static func strided(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ inner: Int) {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 2 * inner)
        defer { buffer.deallocate() }
        let m = buffer, sum = buffer + inner
        m.update(repeating: -.infinity, count: inner)
        sum.update(repeating: 0, count: inner)
        for k in 0..<n {
            let xr = x + k * inner
            for i in 0..<inner { m[i] = Swift.max(m[i], xr[i]) }
        }
        for k in 0..<n {
            let xr = x + k * inner, yr = y + k * inner
            for i in 0..<inner { yr[i] = VMath.exp(xr[i] - m[i]) }
            for i in 0..<inner { sum[i] += yr[i] }
        }
        for k in 0..<n {
            let yr = y + k * inner
            for i in 0..<inner { yr[i] /= sum[i] }
        }
    }
}

/// MVN-1 and MVN-6 on f32 when the reduced axes are the trailing ones (each group is one contiguous
/// run, as in layer norm over the last axis or instance norm over H·W): mean, then the variance of
/// `x − mean`, then `(x − mean) · scale`, per group.
final class SIMDMVNKernel: Kernel {
    let reference: MVNKernel

    init(reference: MVNKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? MVNKernel, inputs[0].elementType == .f32,
              let rank = inputs[0].shape.dims?.count else { return nil }
        guard let axes = try? Self.axes(ref, rank: rank, axesInput: inputs.count > 1 ? inputs[1].value : nil),
              !axes.isEmpty, axes == Set((rank - axes.count)..<rank) else { return nil }
        return SIMDMVNKernel(reference: ref)
    }

    /// The reduced axes, as the reference computes them (nil when MVN-6's axes are not constant).
    static func axes(_ ref: MVNKernel, rank: Int, axesInput: Tensor?) throws -> Set<Int>? {
        if ref.version == 6 {
            guard let axesInput else { return nil }
            return Set(try normalizeAxes(intValues(axesInput), rank: rank, "MVN"))
        }
        if let r = ref.reductionAxes, !r.isEmpty { return Set(try normalizeAxes(r, rank: rank, "MVN")) }
        return Set((ref.acrossChannels ? 1 : 2)..<Swift.max(rank, ref.acrossChannels ? 1 : 2))
    }

    var kernelName: String { "simd.mvn" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        guard let axes = try Self.axes(reference, rank: x.rank, axesInput: inputs.count > 1 ? inputs[1] : nil),
              axes == Set((x.rank - axes.count)..<x.rank) else {
            return try reference.run(inputs, &outputs, ctx)
        }
        let size = axes.reduce(1) { $0 * x.shape[$1] }
        let groups = size == 0 ? 0 : x.count / size
        let (normalize, eps, inside) = (reference.normalizeVariance, reference.eps, reference.epsInsideSqrt)
        let xp = UnsafePointer(x.pointer(Float.self)), yp = outputs[0].pointer(Float.self)
        let t = Swift.min(ctx.options.threads, Swift.max(1, x.count / 32_768))
        parallelFor(groups, threads: t) { g in
            let xs = xp + g * size, ys = yp + g * size
            let mean = Self.sum(xs, size) / Float(size)
            var scale: Float = 1
            if normalize {
                for i in 0..<size { ys[i] = xs[i] - mean }
                let v = Self.sumOfSquares(UnsafePointer(ys), size) / Float(size)
                scale = 1 / (inside ? (v + eps).squareRoot() : v.squareRoot() + eps)
            }
            for i in 0..<size { ys[i] = (xs[i] - mean) * scale }
        }
    }

    /// Sum in 8 lanes (then across them).
    /// Sum in 8 independent partial sums (vectorisable), then across them.
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0)), i = 0
        while i + 8 <= n {
            acc.0 += x[i]; acc.1 += x[i + 1]; acc.2 += x[i + 2]; acc.3 += x[i + 3]
            acc.4 += x[i + 4]; acc.5 += x[i + 5]; acc.6 += x[i + 6]; acc.7 += x[i + 7]
            i += 8
        }
        var s = ((acc.0 + acc.1) + (acc.2 + acc.3)) + ((acc.4 + acc.5) + (acc.6 + acc.7))
        while i < n { s += x[i]; i += 1 }
        return s
    }

    static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0)), i = 0
        while i + 8 <= n {
            acc.0 += x[i] * x[i]; acc.1 += x[i + 1] * x[i + 1]; acc.2 += x[i + 2] * x[i + 2]; acc.3 += x[i + 3] * x[i + 3]
            acc.4 += x[i + 4] * x[i + 4]; acc.5 += x[i + 5] * x[i + 5]; acc.6 += x[i + 6] * x[i + 6]; acc.7 += x[i + 7] * x[i + 7]
            i += 8
        }
        var s = ((acc.0 + acc.1) + (acc.2 + acc.3)) + ((acc.4 + acc.5) + (acc.6 + acc.7))
        while i < n { s += x[i] * x[i]; i += 1 }
        return s
    }
}

/// BatchNormInference-1/-5 on f32 with per-channel parameters: the reference's per-channel scale
/// `gamma / sqrt(variance + epsilon)` and per-element `(x − mean) · scale + beta`, as flat plane
/// loops split across threads (bit-identical).
final class SIMDBatchNormKernel: EpilogueConvolution {
    let reference: BatchNormKernel

    init(reference: BatchNormKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? BatchNormKernel, inputs.count == 5, inputs.allSatisfy({ $0.elementType == .f32 }) else { return nil }
        return SIMDBatchNormKernel(reference: ref)
    }

    var kernelName: String { "simd.batchnorm" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    /// Applies any ``ConvEpilogue`` (``ConvFusion`` absorbs the activation after a BatchNorm, e.g.
    /// DenseNet's pre-activation BN → ReLU): each channel plane is finished while it is in cache.
    var supportsResidualEpilogue: Bool { true }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        try run(inputs, &outputs, ctx, epilogue: nil)
    }

    /// `y = (x − mean) · γ / √(var + ε) + β` per channel, then the epilogue's ops (bias, the tail)
    /// on each plane with the unfused kernels' expressions, so fused and unfused runs are bit-identical.
    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext, epilogue: ConvEpilogue?) throws {
        let r = reference
        let x = inputs[r.dataIndex]
        let c = x.shape[1]
        let params = [inputs[r.gammaIndex], inputs[r.betaIndex], inputs[3], inputs[4]]
        for (name, p) in zip(["gamma", "beta", "mean", "variance"], params) where p.count != c {
            throw OVIRError("BatchNormInference: \(name) must hold \(c) values (one per channel), found \(p.count)")
        }
        let gamma = params[0].pointer(Float.self), beta = params[1].pointer(Float.self)
        let mean = params[2].pointer(Float.self), variance = params[3].pointer(Float.self)
        let eps = r.epsilon
        let n = x.shape[0], plane = x.shape[2...].reduce(1, *)
        let xp = UnsafePointer(x.pointer(Float.self)), yp = outputs[0].pointer(Float.self)
        let t = Swift.min(ctx.options.threads, Swift.max(1, x.count / 65_536))
        parallelFor(n * c, threads: t) { bc in
            let ch = bc % c
            let scale = gamma[ch] / (variance[ch] + eps).squareRoot(), m = mean[ch], b = beta[ch]
            let xs = xp + bc * plane, ys = yp + bc * plane
            for i in 0..<plane { ys[i] = (xs[i] - m) * scale + b }
            epilogue?.apply(ys, count: plane, channel: ch)
        }
    }
}
