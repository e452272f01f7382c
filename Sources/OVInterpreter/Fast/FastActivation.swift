/// f32 activations as vector loops: ReLU, Clamp (the reference's exact expressions), Sigmoid and
/// Gelu (erf and tanh forms) on ``VMath``'s exp/erf, and per-channel or broadcast PReLU.
final class SIMDActivationKernel: Kernel {
    let reference: ActivationKernel

    init(reference: ActivationKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ActivationKernel, inputs.count == 1, inputs[0].elementType == .f32 else { return nil }
        switch ref.op {
        case .relu, .clamp, .sigmoid, .geluErf, .geluTanh: return SIMDActivationKernel(reference: ref)
        default: return nil
        }
    }

    var kernelName: String { "simd.activation" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = UnsafePointer(inputs[0].pointer(Float.self)), y = outputs[0].pointer(Float.self)
        let n = inputs[0].count
        let op = reference.op
        let t = Swift.min(ctx.options.threads, Swift.max(1, n / 65_536))
        parallelChunks(n, threads: t, align: 64) { r in
            let xs = x + r.lowerBound, ys = y + r.lowerBound, m = r.count
            switch op {
            case .relu:
                for i in 0..<m { ys[i] = xs[i] > 0 ? xs[i] : 0 }
            case .clamp(let loD, let hiD):
                let lo = Float(loD), hi = Float(hiD)
                for i in 0..<m { ys[i] = Swift.min(Swift.max(xs[i], lo), hi) }
            case .sigmoid: VMath.map(xs, ys, m, SigmoidF.self)
            case .geluErf: VMath.map(xs, ys, m, GeluErfF.self)
            case .geluTanh: VMath.map(xs, ys, m, GeluTanhF.self)
            default:
                preconditionFailure("SIMDActivationKernel claims only relu, clamp, sigmoid and gelu")
            }
        }
    }
}

/// PReLU-1 on f32: `x < 0 ? slope · x : x` with a per-channel (1-D) or numpy-broadcast slope.
final class SIMDPReLUKernel: Kernel {
    let reference: PReLUKernel

    init(reference: PReLUKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? PReLUKernel, inputs.count == 2,
              inputs.allSatisfy({ $0.elementType == .f32 }) else { return nil }
        return SIMDPReLUKernel(reference: ref)
    }

    var kernelName: String { "simd.prelu" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        var slopeShape = inputs[1].shape
        if let axis = PReLUKernel.channelAxis(x.shape, slopeShape) {
            slopeShape = Array(repeating: 1, count: x.rank - axis)
            slopeShape[0] = inputs[1].count
        }
        let plan = BroadcastPlan(out: outputs[0].shape, a: contiguousStrides(x.shape),
                                 b: AutoBroadcast.numpy.readStrides(input: slopeShape, output: outputs[0].shape))
        plan.run(UnsafePointer(x.pointer(Float.self)), UnsafePointer(inputs[1].pointer(Float.self)),
                 outputs[0].pointer(Float.self), threads: ctx.options.threads, PReLUF.self)
    }
}

enum PReLUF: FloatBinary { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a < 0 ? a * b : a } }
