/// Add, Subtract, Multiply, Divide, Maximum and Minimum on f32 with numpy (or no) broadcasting.
/// The broadcast is collapsed to the fewest dims first (adjacent dims merge when both inputs read
/// them alike), so the common cases become flat loops the compiler vectorises: equal shapes, a
/// scalar side, a per-channel `[1, C, 1, 1]` side (a scalar per run of H·W) and a trailing-vector
/// side (`[768]` against `[1, 128, 768]`). The per-element expressions are the reference's.
final class SIMDBinaryKernel: Kernel {
    let reference: BinaryArithmeticKernel
    let op: ArithmeticOp

    init(reference: BinaryArithmeticKernel, op: ArithmeticOp) {
        self.reference = reference
        self.op = op
    }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? BinaryArithmeticKernel, inputs.count == 2,
              inputs.allSatisfy({ $0.elementType == .f32 }) else { return nil }
        switch ref.broadcast {
        case .numpy, .none: break
        case .pdpd: return nil
        }
        switch ref.op {
        case .add, .subtract, .multiply, .divide, .maximum, .minimum: return SIMDBinaryKernel(reference: ref, op: ref.op)
        case .power:
            // x^2 with a constant exponent 2 (ONNX exports' decomposed LayerNorm/variance): x · x, as
            // OpenVINO's CPU plugin computes an integer power. The reference's powf(x, 2) is the same
            // correctly rounded square but for products exactly halfway between two floats (x with
            // at most 12 significant bits, e.g. 1 + 2^-12), where powf's rounding may differ.
            guard let e = inputs[1].value, e.count >= 1, e.floatValues().allSatisfy({ $0 == 2 }) else { return nil }
            return SIMDBinaryKernel(reference: ref, op: .power)
        default: return nil
        }
    }

    var kernelName: String { "simd.binary" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0], b = inputs[1]
        let plan = BroadcastPlan(out: outputs[0].shape,
                                 a: reference.broadcast.readStrides(input: a.shape, output: outputs[0].shape),
                                 b: reference.broadcast.readStrides(input: b.shape, output: outputs[0].shape))
        let pa = UnsafePointer(a.pointer(Float.self)), pb = UnsafePointer(b.pointer(Float.self))
        let po = outputs[0].pointer(Float.self)
        let threads = ctx.options.threads
        switch op {
        case .add: plan.run(pa, pb, po, threads: threads, AddF.self)
        case .subtract: plan.run(pa, pb, po, threads: threads, SubF.self)
        case .multiply: plan.run(pa, pb, po, threads: threads, MulF.self)
        case .divide: plan.run(pa, pb, po, threads: threads, DivF.self)
        case .maximum: plan.run(pa, pb, po, threads: threads, MaxF.self)
        case .minimum: plan.run(pa, pb, po, threads: threads, MinF.self)
        case .power: plan.run(pa, pb, po, threads: threads, SquareF.self)
        default: preconditionFailure("SIMDBinaryKernel claims only add, subtract, multiply, divide, maximum, minimum, power (by 2)")
        }
    }
}

/// A broadcast of two inputs to an output, collapsed: `outer` dims walked with an index, then one
/// contiguous inner run of `inner` elements where each input advances by 1 or stays (stride 0).
struct BroadcastPlan {
    var dims: [Int] = []
    var stridesA: [Int] = [], stridesB: [Int] = []
    var inner = 1, innerA = 0, innerB = 0
    var total = 0

    init(out: [Int], a: [Int], b: [Int]) {
        total = out.reduce(1, *)
        // Drop size-1 dims, then merge a dim into the next when both inputs read them contiguously
        // (or both broadcast them).
        var d: [Int] = [], sa: [Int] = [], sb: [Int] = []
        for k in out.indices where out[k] != 1 {
            if let last = d.last {
                let i = d.count - 1
                let mergeA = (sa[i] == a[k] * out[k]) || (sa[i] == 0 && a[k] == 0)
                let mergeB = (sb[i] == b[k] * out[k]) || (sb[i] == 0 && b[k] == 0)
                if mergeA && mergeB {
                    d[i] = last * out[k]
                    sa[i] = a[k]
                    sb[i] = b[k]
                    continue
                }
            }
            d.append(out[k]); sa.append(a[k]); sb.append(b[k])
        }
        if let n = d.last, let x = sa.last, let y = sb.last, x <= 1, y <= 1 {
            inner = n; innerA = x; innerB = y
            d.removeLast(); sa.removeLast(); sb.removeLast()
        }
        dims = d; stridesA = sa; stridesB = sb
    }

    /// Number of inner runs.
    var runs: Int { dims.reduce(1, *) }

    /// Element offsets into a and b of the start of run `r`.
    @inline(__always)
    func offsets(ofRun r: Int) -> (Int, Int) {
        var rem = r, oa = 0, ob = 0
        for k in stride(from: dims.count - 1, through: 0, by: -1) {
            let i = rem % dims[k]
            rem /= dims[k]
            oa += i * stridesA[k]
            ob += i * stridesB[k]
        }
        return (oa, ob)
    }

    /// `out[o] = f(a[ia], b[ib])` over the plan, split by runs (or within the single run) across threads.
    func run<F: FloatBinary>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             threads: Int, _ f: F.Type) {
        if total == 0 { return }
        let t = Swift.min(threads, Swift.max(1, total / 65_536))
        let runs = self.runs
        if runs == 1 {
            parallelChunks(inner, threads: t, align: 64) { r in
                Self.inner(a + (innerA == 0 ? 0 : r.lowerBound), innerA, b + (innerB == 0 ? 0 : r.lowerBound), innerB,
                           out + r.lowerBound, r.count, f)
            }
            return
        }
        parallelChunks(runs, threads: t) { rr in
            for r in rr {
                let (oa, ob) = offsets(ofRun: r)
                Self.inner(a + oa, innerA, b + ob, innerB, out + r * inner, inner, f)
            }
        }
    }

    @inline(__always)
    static func inner<F: FloatBinary>(_ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                                      _ o: UnsafeMutablePointer<Float>, _ n: Int, _: F.Type) {
        switch (sa, sb) {
        case (1, 1): for i in 0..<n { o[i] = F.apply(a[i], b[i]) }
        case (1, _):
            let y = b[0]
            for i in 0..<n { o[i] = F.apply(a[i], y) }
        case (_, 1):
            let x = a[0]
            for i in 0..<n { o[i] = F.apply(x, b[i]) }
        default:
            let v = F.apply(a[0], b[0])
            for i in 0..<n { o[i] = v }
        }
    }
}

/// A binary f32 operation, as a type so loops specialise and vectorise.
protocol FloatBinary {
    static func apply(_ a: Float, _ b: Float) -> Float
}
enum AddF: FloatBinary { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubF: FloatBinary { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulF: FloatBinary { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivF: FloatBinary { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
/// Power with a constant exponent of 2 (the claim checks `b`).
enum SquareF: FloatBinary { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * a } }
// As the reference (and the CPU's maxps/minps): when either side is NaN the second operand is returned.
enum MaxF: FloatBinary { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? a : b } }
enum MinF: FloatBinary { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a < b ? a : b } }
