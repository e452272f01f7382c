/// The unary math ops that share one kernel.
enum UnaryOp: Sendable {
    case negative, abs, sqrt, exp, log, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh
    case asinh, acosh, atanh, floor, ceiling, roundHalfEven, roundHalfAway, sign, erf
}

/// Unary math: Negative-1, Abs-1, Sqrt-1, Exp-1, Log-1, Sin-1, Cos-1, Tan-1, Asin-1, Acos-1,
/// Atan-1, Sinh-1, Cosh-1, Tanh-1, Asinh-3, Acosh-3, Atanh-3, Floor-1, Ceiling-1, Round-5, Sign-1, Erf-1.
///
/// Floats compute in their own precision (f16/bf16 in f32, rounded back). Integers: Negative, Abs
/// and Sign are exact (8/16-bit saturate), Floor/Ceiling/Round are the identity, and the other
/// functions compute in Double and round to nearest.
final class UnaryMathKernel: FloatIntUnaryKernel {
    let op: UnaryOp
    let name: String

    init(_ node: Node, _ op: UnaryOp) throws {
        name = node.type
        if op == .roundHalfEven {
            let mode = try node.attributes.choice("mode", ["half_to_even", "half_away_from_zero"], default: "half_to_even")
            self.op = mode == "half_to_even" ? .roundHalfEven : .roundHalfAway
        } else {
            self.op = op
        }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 1...1, name)
        let t = inputs[0].elementType
        guard t != .boolean, t.bitWidth >= 8 else { throw unsupportedType(name, t, "a floating-point or integer type") }
        return [ValueInfo(t, inputs[0].shape)]
    }

    func floatRun<T: KernelFloat>(_ a: Tensor, _ out: inout Tensor, _ t: T.Type) {
        switch op {
        case .negative: mapUnary(a, &out, t, t) { -$0 }
        case .abs: mapUnary(a, &out, t, t) { Swift.abs($0) }
        case .sqrt: mapUnary(a, &out, t, t) { $0.squareRoot() }
        case .exp: mapUnary(a, &out, t, t) { T.mExp($0) }
        case .log: mapUnary(a, &out, t, t) { T.mLog($0) }
        case .sin: mapUnary(a, &out, t, t) { T.mSin($0) }
        case .cos: mapUnary(a, &out, t, t) { T.mCos($0) }
        case .tan: mapUnary(a, &out, t, t) { T.mTan($0) }
        case .asin: mapUnary(a, &out, t, t) { T.mAsin($0) }
        case .acos: mapUnary(a, &out, t, t) { T.mAcos($0) }
        case .atan: mapUnary(a, &out, t, t) { T.mAtan($0) }
        case .sinh: mapUnary(a, &out, t, t) { T.mSinh($0) }
        case .cosh: mapUnary(a, &out, t, t) { T.mCosh($0) }
        case .tanh: mapUnary(a, &out, t, t) { T.mTanh($0) }
        case .asinh: mapUnary(a, &out, t, t) { T.mAsinh($0) }
        case .acosh: mapUnary(a, &out, t, t) { T.mAcosh($0) }
        case .atanh: mapUnary(a, &out, t, t) { T.mAtanh($0) }
        case .floor: mapUnary(a, &out, t, t) { $0.rounded(.down) }
        case .ceiling: mapUnary(a, &out, t, t) { $0.rounded(.up) }
        case .roundHalfEven: mapUnary(a, &out, t, t) { $0.rounded(.toNearestOrEven) }
        case .roundHalfAway: mapUnary(a, &out, t, t) { $0.rounded(.toNearestOrAwayFromZero) }
        case .sign: mapUnary(a, &out, t, t) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        case .erf: mapUnary(a, &out, t, t) { T.mErf($0) }
        }
    }

    func intRun<T: KernelInt>(_ a: Tensor, _ out: inout Tensor, _ t: T.Type) {
        let small = T.bitWidth <= 16
        switch op {
        case .negative:
            if small { mapUnary(a, &out, t, t) { T.saturating(-Int64($0)) } } else { mapUnary(a, &out, t, t) { T.zero &- $0 } }
        case .abs:
            if small { mapUnary(a, &out, t, t) { T.saturating(Swift.abs(Int64($0))) } } else { mapUnary(a, &out, t, t) { $0 < 0 ? T.zero &- $0 : $0 } }
        case .sign: mapUnary(a, &out, t, t) { $0 > 0 ? 1 : ($0 < 0 ? T.zero &- 1 : 0) }
        case .floor, .ceiling, .roundHalfEven, .roundHalfAway: mapUnary(a, &out, t, t) { $0 }
        default:
            var f = Tensor(uninitialized: .f64, shape: a.shape)
            mapUnary(a, &f, t, Double.self) { Double($0) }
            floatRun(f, &f, Double.self)
            mapUnary(f, &out, Double.self, t) { T.saturating(saturatingInt64($0.rounded(.toNearestOrAwayFromZero))) }
        }
    }
}

/// Floating-point classification: IsInf-10 (`detect_negative`, `detect_positive`), IsNaN-10,
/// IsFinite-10; output `boolean`.
final class ClassifyKernel: Kernel {
    enum Kind { case inf, nan, finite }
    let kind: Kind
    let name: String
    let negative: Bool, positive: Bool

    init(_ node: Node, _ kind: Kind) throws {
        self.kind = kind
        name = node.type
        negative = kind == .inf ? try node.attributes.bool("detect_negative", default: true) : true
        positive = kind == .inf ? try node.attributes.bool("detect_positive", default: true) : true
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 1...1, name)
        guard inputs[0].elementType.isFloatingPoint else { throw unsupportedType(name, inputs[0].elementType, "f32, f16, bf16 or f64") }
        return [ValueInfo(.boolean, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0]
        // OpenVINO 2023.3's CPU plugin reports no infinities for f16 inputs (conformance case
        // test_isinf_float16: [inf, -inf] → false); follow it.
        if kind == .inf && a.elementType == .f16 {
            mapUnary(a, &outputs[0], UInt16.self, UInt8.self) { _ in 0 }
            return
        }
        switch a.elementType {
        case .f64: classify(a, &outputs[0], Double.self)
        case .f32: classify(a, &outputs[0], Float.self)
        default: classify(a.widenedToF32(), &outputs[0], Float.self)
        }
    }

    private func classify<T: KernelFloat>(_ a: Tensor, _ out: inout Tensor, _ t: T.Type) {
        switch kind {
        case .nan: mapUnary(a, &out, t, UInt8.self) { $0.isNaN ? 1 : 0 }
        case .finite: mapUnary(a, &out, t, UInt8.self) { $0.isFinite ? 1 : 0 }
        case .inf:
            let neg = negative, pos = positive
            mapUnary(a, &out, t, UInt8.self) { x in x.isInfinite && ((x < 0 && neg) || (x > 0 && pos)) ? 1 : 0 }
        }
    }
}

/// LogicalNot-1 on `boolean`, and BitwiseNot-13 on integers and `boolean`.
final class NotKernel: Kernel {
    let logical: Bool
    let name: String

    init(_ node: Node, logical: Bool) {
        self.logical = logical
        name = node.type
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 1...1, name)
        let t = inputs[0].elementType
        guard t == .boolean || (!logical && t.isInteger && t.bitWidth >= 8) else {
            throw unsupportedType(name, t, logical ? "boolean" : "an integer or boolean type")
        }
        return [ValueInfo(t, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0]
        switch a.elementType.byteWidth {
        case _ where a.elementType == .boolean: mapUnary(a, &outputs[0], UInt8.self, UInt8.self) { $0 == 0 ? 1 : 0 }
        case 1: mapUnary(a, &outputs[0], UInt8.self, UInt8.self) { ~$0 }
        case 2: mapUnary(a, &outputs[0], UInt16.self, UInt16.self) { ~$0 }
        case 4: mapUnary(a, &outputs[0], UInt32.self, UInt32.self) { ~$0 }
        default: mapUnary(a, &outputs[0], UInt64.self, UInt64.self) { ~$0 }
        }
    }
}
