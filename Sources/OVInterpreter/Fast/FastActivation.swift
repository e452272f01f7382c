/// f32 activations as vector loops: ReLU, Clamp, HSwish, HSigmoid, SoftSign (the reference's exact
/// expressions), Sigmoid, Gelu (erf and tanh forms), Elu, SoftPlus and Mish on ``VMath``'s exp, erf,
/// tanh and log; Swish with its beta; the unary math ops whose f32 form is one vector expression;
/// and per-channel or broadcast PReLU.
final class SIMDActivationKernel: Kernel {
    let reference: ActivationKernel

    init(reference: ActivationKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ActivationKernel, inputs.count == 1, inputs[0].elementType == .f32 else { return nil }
        switch ref.op {
        case .relu, .clamp, .sigmoid, .geluErf, .geluTanh, .hSwish, .hSigmoid, .elu, .softPlus, .mish, .softSign:
            return SIMDActivationKernel(reference: ref)
        }
    }

    var kernelName: String { "simd.activation" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let op = reference.op
        mapChunks(inputs[0], &outputs[0], ctx) { xs, ys, m in
            switch op {
            case .relu:
                for i in 0..<m { ys[i] = xs[i] > 0 ? xs[i] : 0 }
            case .clamp(let loD, let hiD):
                let lo = Float(loD), hi = Float(hiD)
                for i in 0..<m { ys[i] = Swift.min(Swift.max(xs[i], lo), hi) }
            case .sigmoid: VMath.map(xs, ys, m, SigmoidF.self)
            case .geluErf: VMath.map(xs, ys, m, GeluErfF.self)
            case .geluTanh: VMath.map(xs, ys, m, GeluTanhF.self)
            case .hSwish: VMath.map(xs, ys, m, HSwishF.self)
            case .hSigmoid: VMath.map(xs, ys, m, HSigmoidF.self)
            case .softPlus: VMath.map(xs, ys, m, SoftPlusF.self)
            case .mish: VMath.map(xs, ys, m, MishF.self)
            case .softSign: VMath.map(xs, ys, m, SoftSignF.self)
            case .elu(let alphaD):
                let alpha = Float(alphaD)
                for i in 0..<m {
                    let v = xs[i]
                    ys[i] = v > 0 ? v : alpha * (VMath.exp(v) - 1)
                }
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

/// Swish-4 on f32: `x / (1 + e^(−beta·x))`, beta read from the optional second input each run
/// (1 when absent), as the reference does.
final class SIMDSwishKernel: Kernel {
    let reference: ParametricActivationKernel

    init(reference: ParametricActivationKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ParametricActivationKernel, ref.op == .swish, (1...2).contains(inputs.count),
              inputs.allSatisfy({ $0.elementType == .f32 }) else { return nil }
        return SIMDSwishKernel(reference: ref)
    }

    var kernelName: String { "simd.activation" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        if inputs.count > 1, inputs[1].count != 1 {
            throw OVIRError("Swish expects input 1 to hold one value, found shape \(inputs[1].shape)")
        }
        let beta: Float = inputs.count > 1 ? inputs[1].pointer(Float.self)[0] : 1
        mapChunks(inputs[0], &outputs[0], ctx) { xs, ys, m in
            if beta == 1 {
                VMath.map(xs, ys, m, SwishF.self)
            } else {
                for i in 0..<m { ys[i] = xs[i] / (1 + VMath.exp(-beta * xs[i])) }
            }
        }
    }
}

/// Unary math on f32 as vector loops: Negative, Abs, Sqrt, Floor, Ceiling (exact, as the
/// reference), Exp, Log, Tanh and Erf on ``VMath`` (a few ulp; erf ~2e-7 absolute).
final class SIMDUnaryMathKernel: Kernel {
    let reference: UnaryMathKernel

    init(reference: UnaryMathKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? UnaryMathKernel, inputs.count == 1, inputs[0].elementType == .f32 else { return nil }
        switch ref.op {
        case .negative, .abs, .sqrt, .floor, .ceiling, .exp, .log, .tanh, .erf: return SIMDUnaryMathKernel(reference: ref)
        default: return nil
        }
    }

    var kernelName: String { "simd.unary" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let op = reference.op
        mapChunks(inputs[0], &outputs[0], ctx) { xs, ys, m in
            switch op {
            case .negative: for i in 0..<m { ys[i] = -xs[i] }
            case .abs: for i in 0..<m { ys[i] = Swift.abs(xs[i]) }
            case .sqrt: for i in 0..<m { ys[i] = xs[i].squareRoot() }
            case .floor: for i in 0..<m { ys[i] = xs[i].rounded(.down) }
            case .ceiling: for i in 0..<m { ys[i] = xs[i].rounded(.up) }
            case .exp: VMath.map(xs, ys, m, ExpF.self)
            case .log: VMath.map(xs, ys, m, LogF.self)
            case .tanh: VMath.map(xs, ys, m, TanhF.self)
            case .erf: VMath.map(xs, ys, m, ErfF.self)
            default: preconditionFailure("SIMDUnaryMathKernel claims only negative, abs, sqrt, floor, ceiling, exp, log, tanh, erf")
            }
        }
    }
}

/// Runs `body(x, y, count)` on contiguous chunks of an f32 input and its same-sized output, split
/// across the run's threads from 64K elements on (chunks aligned to 64 elements).
@inline(__always)
func mapChunks(_ input: Tensor, _ output: inout Tensor, _ ctx: ExecutionContext,
               _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
    let x = UnsafePointer(input.pointer(Float.self)), y = output.pointer(Float.self)
    let n = input.count
    let t = Swift.min(ctx.options.threads, Swift.max(1, n / 65_536))
    parallelChunks(n, threads: t, align: 64) { r in body(x + r.lowerBound, y + r.lowerBound, r.count) }
}
