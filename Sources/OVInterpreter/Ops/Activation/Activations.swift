/// Activation ops. Type names are as OpenVINO writes them in IR (`ReLU`, `PReLU`, `SoftPlus`, …).
enum ActivationOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("ReLU", 1) { node in try ActivationKernel(node, .relu) },
        OpDefinition("Relu", 1) { node in try ActivationKernel(node, .relu) },
        OpDefinition("Sigmoid", 1) { node in try ActivationKernel(node, .sigmoid) },
        OpDefinition("Elu", 1) { node in try ActivationKernel(node, .elu(alpha: try node.attributes.double("alpha"))) },
        OpDefinition("SoftPlus", 4) { node in try ActivationKernel(node, .softPlus) },
        OpDefinition("HSwish", 4) { node in try ActivationKernel(node, .hSwish) },
        OpDefinition("HSigmoid", 5) { node in try ActivationKernel(node, .hSigmoid) },
        OpDefinition("Gelu", 2) { node in try ActivationKernel(node, .geluErf) },
        OpDefinition("Gelu", 7) { node in
            let mode = try node.attributes.choice("approximation_mode", ["erf", "tanh"], default: "erf")
            return try ActivationKernel(node, mode == "tanh" ? .geluTanh : .geluErf)
        },
        OpDefinition("Mish", 4) { node in try ActivationKernel(node, .mish) },
        OpDefinition("SoftSign", 9) { node in try ActivationKernel(node, .softSign) },
        OpDefinition("Clamp", 1) { node in
            try ActivationKernel(node, .clamp(min: try node.attributes.double("min"), max: try node.attributes.double("max")))
        },
        OpDefinition("Selu", 1) { node in try ParametricActivationKernel(node, .selu) },
        OpDefinition("HardSigmoid", 1) { node in try ParametricActivationKernel(node, .hardSigmoid) },
        OpDefinition("Swish", 4) { node in try ParametricActivationKernel(node, .swish) },
        OpDefinition("PReLU", 1) { node in PReLUKernel(node) },
    ]
}

/// Single-input activations: ReLU-1, Sigmoid-1, Elu-1, SoftPlus-4, HSwish-4, HSigmoid-5, Gelu-2,
/// Gelu-7 (`approximation_mode` erf or tanh), Mish-4, SoftSign-9, Clamp-1.
///
/// Floats compute in their own precision (f16/bf16 in f32, rounded back); ReLU and Clamp also
/// take integers (Clamp rounds `min` up and `max` down for them, as the spec says).
final class ActivationKernel: FloatIntUnaryKernel {
    enum Op: Sendable {
        case relu, sigmoid, elu(alpha: Double), softPlus, hSwish, hSigmoid, geluErf, geluTanh, mish, softSign
        case clamp(min: Double, max: Double)
    }
    let op: Op
    let name: String

    init(_ node: Node, _ op: Op) throws {
        self.op = op
        name = node.type
        if case .clamp(let lo, let hi) = op, lo > hi {
            throw OVIRError("Clamp expects min <= max, found min \(lo) and max \(hi)")
        }
    }

    private var takesIntegers: Bool {
        switch op {
        case .relu, .clamp: return true
        default: return false
        }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 1...1, name)
        let t = inputs[0].elementType
        guard t.isFloatingPoint || (takesIntegers && t.isInteger && t.bitWidth >= 8) else {
            throw unsupportedType(name, t, takesIntegers ? "a floating-point or integer type" : "f32, f16, bf16 or f64")
        }
        return [ValueInfo(t, inputs[0].shape)]
    }

    func floatRun<T: KernelFloat>(_ a: Tensor, _ out: inout Tensor, _ t: T.Type) {
        switch op {
        case .relu: mapUnary(a, &out, t, t) { $0 > 0 ? $0 : 0 }
        case .sigmoid: mapUnary(a, &out, t, t) { 1 / (1 + T.mExp(-$0)) }
        case .elu(let alphaD):
            let alpha = T(alphaD)
            mapUnary(a, &out, t, t) { $0 > 0 ? $0 : alpha * (T.mExp($0) - 1) }
        case .softPlus: mapUnary(a, &out, t, t) { softPlus($0) }
        case .hSwish: mapUnary(a, &out, t, t) { $0 * Swift.min(Swift.max($0 + 3, 0), 6) / 6 }
        case .hSigmoid: mapUnary(a, &out, t, t) { Swift.min(Swift.max($0 + 3, 0), 6) / 6 }
        case .geluErf:
            let invSqrt2 = T(0.70710678118654752440)
            mapUnary(a, &out, t, t) { x in T(0.5) * x * (1 + T.mErf(x * invSqrt2)) }
        case .geluTanh:
            let k = T(0.79788456080286535588)   // sqrt(2/pi)
            mapUnary(a, &out, t, t) { x in T(0.5) * x * (1 + T.mTanh(k * (x + T(0.044715) * x * x * x))) }
        case .mish: mapUnary(a, &out, t, t) { $0 * T.mTanh(softPlus($0)) }
        case .softSign: mapUnary(a, &out, t, t) { $0 / (1 + Swift.abs($0)) }
        case .clamp(let loD, let hiD):
            let lo = T(loD), hi = T(hiD)
            mapUnary(a, &out, t, t) { Swift.min(Swift.max($0, lo), hi) }
        }
    }

    func intRun<T: KernelInt>(_ a: Tensor, _ out: inout Tensor, _ t: T.Type) {
        switch op {
        case .clamp(let loD, let hiD):
            let lo = T.saturating(saturatingInt64(loD.rounded(.up))), hi = T.saturating(saturatingInt64(hiD.rounded(.down)))
            mapUnary(a, &out, t, t) { Swift.min(Swift.max($0, lo), hi) }
        default:
            mapUnary(a, &out, t, t) { $0 > 0 ? $0 : 0 }
        }
    }
}

/// log(1 + exp(x)), returning x itself once exp(x) would dominate (SoftPlus-4's overflow guard).
@inline(__always)
func softPlus<T: KernelFloat>(_ x: T) -> T {
    x > 20 ? x : T.mLog1p(T.mExp(x))
}

/// Activations with scalar parameters given as inputs: Selu-1 (alpha, lambda), HardSigmoid-1
/// (alpha, beta), Swish-4 (optional beta, default 1). Parameters are read once per run.
final class ParametricActivationKernel: Kernel {
    enum Op: Sendable { case selu, hardSigmoid, swish }
    let op: Op
    let name: String

    init(_ node: Node, _ op: Op) throws {
        self.op = op
        name = node.type
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, op == .swish ? 1...2 : 3...3, name)
        try expectSameTypes(inputs, name)
        guard inputs[0].elementType.isFloatingPoint else { throw unsupportedType(name, inputs[0].elementType, "f32, f16, bf16 or f64") }
        for (i, v) in inputs.enumerated().dropFirst() {
            if let s = v.shape.staticShape, s.reduce(1, *) != 1 {
                throw OVIRError("\(name) expects input \(i) to hold one value, found shape \(s)")
            }
        }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        for (i, p) in inputs.enumerated().dropFirst() where p.count != 1 {
            throw OVIRError("\(name) expects input \(i) to hold one value, found shape \(p.shape)")
        }
        switch inputs[0].elementType {
        case .f64: floatRun(inputs, &outputs[0], Double.self)
        default: computingHalfInF32(inputs, &outputs[0]) { ins, out in floatRun(ins, &out, Float.self) }
        }
    }

    private func floatRun<T: KernelFloat>(_ ins: [Tensor], _ out: inout Tensor, _ t: T.Type) {
        let p1: T = ins.count > 1 ? ins[1].pointer(T.self)[0] : 1
        let p2: T = ins.count > 2 ? ins[2].pointer(T.self)[0] : 0
        switch op {
        case .selu: mapUnary(ins[0], &out, t, t) { x in p2 * (x > 0 ? x : p1 * (T.mExp(x) - 1)) }
        case .hardSigmoid: mapUnary(ins[0], &out, t, t) { x in Swift.max(0, Swift.min(1, p1 * x + p2)) }
        case .swish: mapUnary(ins[0], &out, t, t) { x in x / (1 + T.mExp(-p1 * x)) }
        }
    }
}

/// PReLU-1: `x < 0 ? slope * x : x`. A 1-D slope whose length is the channel count (axis 1, or
/// axis 0 for 1-D data) applies per channel; any other slope broadcasts numpy-style.
final class PReLUKernel: Kernel {
    init(_ node: Node) {}

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 2...2, "PReLU")
        try expectSameTypes(inputs, "PReLU")
        guard inputs[0].elementType.isFloatingPoint || inputs[0].elementType.isSigned && inputs[0].elementType.bitWidth >= 8 else {
            throw unsupportedType("PReLU", inputs[0].elementType, "a floating-point or signed integer type")
        }
        if let x = inputs[0].shape.staticShape, let s = inputs[1].shape.staticShape, PReLUKernel.channelAxis(x, s) == nil {
            let out = try AutoBroadcast.numpy.shape(x, s)
            guard out == x else { throw OVIRError("PReLU slope shape \(s) does not broadcast to the data shape \(x)") }
        }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    /// The axis a 1-D per-channel slope applies along, or nil when the slope broadcasts numpy-style.
    static func channelAxis(_ x: [Int], _ slope: [Int]) -> Int? {
        guard slope.count == 1, !x.isEmpty else { return nil }
        let axis = x.count == 1 ? 0 : 1
        return x[axis] == slope[0] && (x.count == 1 || slope[0] != 1) ? axis : nil
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        var slope = inputs[1]
        if let axis = PReLUKernel.channelAxis(x.shape, slope.shape) {
            var s = Array(repeating: 1, count: x.rank - axis)
            s[0] = slope.count
            slope = try slope.reshaped(s)
        }
        switch x.elementType {
        case .f64: prelu(x, slope, &outputs[0], Double.self)
        case .i8: prelu(x, slope, &outputs[0], Int8.self)
        case .i16: prelu(x, slope, &outputs[0], Int16.self)
        case .i32: prelu(x, slope, &outputs[0], Int32.self)
        case .i64: prelu(x, slope, &outputs[0], Int64.self)
        default: computingHalfInF32([x, slope], &outputs[0]) { ins, out in prelu(ins[0], ins[1], &out, Float.self) }
        }
    }

    private func prelu<T: Numeric & Comparable>(_ x: Tensor, _ s: Tensor, _ out: inout Tensor, _ t: T.Type) {
        mapBinary(x, s, &out, .numpy, t, t, t) { v, k in v < T.zero ? v * k : v }
    }
}
