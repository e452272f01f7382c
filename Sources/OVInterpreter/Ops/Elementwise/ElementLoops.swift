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

// Shared loops and type helpers for the elementwise, activation, convert and FakeQuantize kernels.
// Kernels check element types once per run and then call these generic loops with typed pointers;
// the per-element work is a closure the optimiser specialises.

/// Applies `f` to every element: `out[i] = f(a[i])`. `out` must hold `a.count` elements of `R`.
@inline(__always)
func mapUnary<A, R>(_ a: Tensor, _ out: inout Tensor, _: A.Type, _: R.Type, _ f: (A) -> R) {
    let pa = a.pointer(A.self), po = out.pointer(R.self)
    for i in 0..<a.count { po[i] = f(pa[i]) }
}

/// Applies `f` to broadcast pairs: `out[o] = f(a[ia], b[ib])` with `auto_broadcast` `mode`.
/// Same shapes and a scalar side run as flat loops; everything else walks the broadcast index.
@inline(__always)
func mapBinary<A, B, R>(_ a: Tensor, _ b: Tensor, _ out: inout Tensor, _ mode: AutoBroadcast,
                        _: A.Type, _: B.Type, _: R.Type, _ f: (A, B) -> R) {
    let pa = a.pointer(A.self), pb = b.pointer(B.self), po = out.pointer(R.self)
    let n = out.count
    if a.shape == b.shape {
        for i in 0..<n { po[i] = f(pa[i], pb[i]) }
    } else if b.count == 1 && a.count == n {
        let y = pb[0]
        for i in 0..<n { po[i] = f(pa[i], y) }
    } else if a.count == 1 && b.count == n {
        let x = pa[0]
        for i in 0..<n { po[i] = f(x, pb[i]) }
    } else {
        let sa = mode.readStrides(input: a.shape, output: out.shape)
        let sb = mode.readStrides(input: b.shape, output: out.shape)
        forEachBroadcast(out.shape, sa, sb) { o, i, j in po[o] = f(pa[i], pb[j]) }
    }
}

/// Calls `body(out, offsets)` for each output index with the element offsets of several inputs read
/// with `strides` (one stride list per input, each of the output's rank).
func forEachBroadcastN(_ outShape: [Int], _ strides: [[Int]], _ body: (Int, UnsafeMutableBufferPointer<Int>) -> Void) {
    let total = outShape.reduce(1, *)
    if total == 0 { return }
    let r = outShape.count, k = strides.count
    var offs = [Int](repeating: 0, count: k)
    offs.withUnsafeMutableBufferPointer { offsets in
        if r == 0 { body(0, offsets); return }
        var idx = [Int](repeating: 0, count: r)
        for o in 0..<total {
            body(o, offsets)
            var d = r - 1
            while d >= 0 {
                idx[d] += 1
                for j in 0..<k { offsets[j] += strides[j][d] }
                if idx[d] < outShape[d] { break }
                for j in 0..<k { offsets[j] -= strides[j][d] * outShape[d] }
                idx[d] = 0
                d -= 1
            }
        }
    }
}

/// f16 and bf16 tensors are computed in f32 and rounded back, as OpenVINO's CPU plugin does.
extension Tensor {
    /// This f16 or bf16 tensor widened to a new f32 tensor (other types: returned unchanged).
    func widenedToF32() -> Tensor {
        switch elementType {
        case .f16:
            var t = Tensor(uninitialized: .f32, shape: shape)
            mapUnary(self, &t, Float16.self, Float.self) { Float($0) }
            return t
        case .bf16:
            var t = Tensor(uninitialized: .f32, shape: shape)
            mapUnary(self, &t, UInt16.self, Float.self) { Float(bitPattern: UInt32($0) << 16) }
            return t
        default:
            return self
        }
    }

    /// Stores the f32 tensor `src` into this f16/bf16 (or f32) tensor of the same shape, rounding to nearest even.
    mutating func storeNarrowed(from src: Tensor) {
        switch elementType {
        case .f16: mapUnary(src, &self, Float.self, Float16.self) { Float16($0) }
        case .bf16: mapUnary(src, &self, Float.self, UInt16.self) { BFloat16($0).bitPattern }
        default:
            let n = byteCount
            rawPointer.copyMemory(from: src.rawPointer, byteCount: n)
        }
    }
}

/// Runs `body` on f32 stand-ins when `out` is f16/bf16: inputs of those types are widened, the
/// result is computed into an f32 tensor and rounded into `out`. Other types run directly.
func computingHalfInF32(_ inputs: [Tensor], _ out: inout Tensor, _ body: ([Tensor], inout Tensor) throws -> Void) rethrows {
    guard out.elementType == .f16 || out.elementType == .bf16 else {
        try body(inputs.map { $0.widenedToF32() }, &out)
        return
    }
    var tmp = Tensor(uninitialized: .f32, shape: out.shape)
    try body(inputs.map { $0.widenedToF32() }, &tmp)
    out.storeNarrowed(from: tmp)
}

/// Floating-point math the kernels need, for Float and Double.
protocol KernelFloat: BinaryFloatingPoint, TensorScalar {
    static func mExp(_ x: Self) -> Self
    static func mLog(_ x: Self) -> Self
    static func mPow(_ x: Self, _ y: Self) -> Self
    static func mFmod(_ x: Self, _ y: Self) -> Self
    static func mErf(_ x: Self) -> Self
    static func mTanh(_ x: Self) -> Self
    static func mSin(_ x: Self) -> Self
    static func mCos(_ x: Self) -> Self
    static func mTan(_ x: Self) -> Self
    static func mAsin(_ x: Self) -> Self
    static func mAcos(_ x: Self) -> Self
    static func mAtan(_ x: Self) -> Self
    static func mSinh(_ x: Self) -> Self
    static func mCosh(_ x: Self) -> Self
    static func mAsinh(_ x: Self) -> Self
    static func mAcosh(_ x: Self) -> Self
    static func mAtanh(_ x: Self) -> Self
    static func mLog1p(_ x: Self) -> Self
}

extension Float: KernelFloat {
    static func mExp(_ x: Float) -> Float { expf(x) }
    static func mLog(_ x: Float) -> Float { logf(x) }
    static func mPow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    static func mFmod(_ x: Float, _ y: Float) -> Float { fmodf(x, y) }
    static func mErf(_ x: Float) -> Float { erff(x) }
    static func mTanh(_ x: Float) -> Float { tanhf(x) }
    static func mSin(_ x: Float) -> Float { sinf(x) }
    static func mCos(_ x: Float) -> Float { cosf(x) }
    static func mTan(_ x: Float) -> Float { tanf(x) }
    static func mAsin(_ x: Float) -> Float { asinf(x) }
    static func mAcos(_ x: Float) -> Float { acosf(x) }
    static func mAtan(_ x: Float) -> Float { atanf(x) }
    static func mSinh(_ x: Float) -> Float { sinhf(x) }
    static func mCosh(_ x: Float) -> Float { coshf(x) }
    static func mAsinh(_ x: Float) -> Float { asinhf(x) }
    static func mAcosh(_ x: Float) -> Float { acoshf(x) }
    static func mAtanh(_ x: Float) -> Float { atanhf(x) }
    static func mLog1p(_ x: Float) -> Float { log1pf(x) }
}

extension Double: KernelFloat {
    static func mExp(_ x: Double) -> Double { exp(x) }
    static func mLog(_ x: Double) -> Double { log(x) }
    static func mPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
    static func mFmod(_ x: Double, _ y: Double) -> Double { fmod(x, y) }
    static func mErf(_ x: Double) -> Double { erf(x) }
    static func mTanh(_ x: Double) -> Double { tanh(x) }
    static func mSin(_ x: Double) -> Double { sin(x) }
    static func mCos(_ x: Double) -> Double { cos(x) }
    static func mTan(_ x: Double) -> Double { tan(x) }
    static func mAsin(_ x: Double) -> Double { asin(x) }
    static func mAcos(_ x: Double) -> Double { acos(x) }
    static func mAtan(_ x: Double) -> Double { atan(x) }
    static func mSinh(_ x: Double) -> Double { sinh(x) }
    static func mCosh(_ x: Double) -> Double { cosh(x) }
    static func mAsinh(_ x: Double) -> Double { asinh(x) }
    static func mAcosh(_ x: Double) -> Double { acosh(x) }
    static func mAtanh(_ x: Double) -> Double { atanh(x) }
    static func mLog1p(_ x: Double) -> Double { log1p(x) }
}

/// Integer element types that kernels handle generically.
protocol KernelInt: FixedWidthInteger, TensorScalar {}
extension Int8: KernelInt {}
extension Int16: KernelInt {}
extension Int32: KernelInt {}
extension Int64: KernelInt {}
extension UInt8: KernelInt {}
extension UInt16: KernelInt {}
extension UInt32: KernelInt {}
extension UInt64: KernelInt {}

extension KernelInt {
    /// `v` clamped into this type's range.
    @inline(__always)
    static func saturating(_ v: Int64) -> Self {
        if Self.isSigned {
            if Self.bitWidth == 64 { return Self(truncatingIfNeeded: v) }
            return Self(truncatingIfNeeded: Swift.min(Swift.max(v, Int64(Self.min)), Int64(Self.max)))
        }
        if v <= 0 { return 0 }
        if Self.bitWidth == 64 { return Self(truncatingIfNeeded: v) }
        return Self(truncatingIfNeeded: Swift.min(v, Int64(Self.max)))
    }
}

/// Validation shared by kernels: input count and equal element types.
func expectInputs(_ inputs: [ValueInfo], _ count: ClosedRange<Int>, _ op: String) throws {
    guard count.contains(inputs.count) else {
        let want = count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
        throw OVIRError("\(op) expects \(want) inputs, found \(inputs.count)")
    }
}

func expectSameTypes(_ inputs: [ValueInfo], _ op: String) throws {
    guard let t = inputs.first?.elementType else { return }
    for (i, v) in inputs.enumerated() where v.elementType != t {
        throw OVIRError("\(op) expects inputs of one element type; input 0 is \(t.rawValue) but input \(i) is \(v.elementType.rawValue)")
    }
}

func unsupportedType(_ op: String, _ t: ElementType, _ supported: String) -> OVIRError {
    OVIRError("\(op) does not support element type \(t.rawValue); expected \(supported)")
}

/// A one-input kernel that computes floats in `floatRun` and integers in `intRun`: the element-type
/// dispatch (f16/bf16 computed in f32, packed and boolean types refused) lives here once.
protocol FloatIntUnaryKernel: Kernel {
    var name: String { get }
    func floatRun<T: KernelFloat>(_ a: Tensor, _ out: inout Tensor, _ t: T.Type)
    func intRun<T: KernelInt>(_ a: Tensor, _ out: inout Tensor, _ t: T.Type)
}

extension FloatIntUnaryKernel {
    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0]
        switch a.elementType {
        case .f32: floatRun(a, &outputs[0], Float.self)
        case .f64: floatRun(a, &outputs[0], Double.self)
        case .f16, .bf16: computingHalfInF32(inputs, &outputs[0]) { ins, out in floatRun(ins[0], &out, Float.self) }
        case .i8: intRun(a, &outputs[0], Int8.self)
        case .i16: intRun(a, &outputs[0], Int16.self)
        case .i32: intRun(a, &outputs[0], Int32.self)
        case .i64: intRun(a, &outputs[0], Int64.self)
        case .u8: intRun(a, &outputs[0], UInt8.self)
        case .u16: intRun(a, &outputs[0], UInt16.self)
        case .u32: intRun(a, &outputs[0], UInt32.self)
        case .u64: intRun(a, &outputs[0], UInt64.self)
        case .boolean, .u1, .u4, .i4: throw unsupportedType(name, a.elementType, "a floating-point or integer type")
        }
    }
}
