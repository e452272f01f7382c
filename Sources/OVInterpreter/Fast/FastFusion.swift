/// Convolution + bias Add (+ residual Add) (+ activation) fused into the convolution's output pass.
///
/// MediaPipe-style models follow every Convolution / GroupConvolution by an Add of a per-channel
/// constant bias; residual blocks then add the block's input (`conv → Add(bias) → Add(x) → PReLU`),
/// other blocks apply an activation to the biased output directly. Run separately each of those is
/// one more pass over the tensor, one more buffer and one more step. When compiling,
/// ``CompiledModel`` records such chains (``ConvFusion.find``); at run time the convolution applies
/// `act((y + bias[c]) + r)` to each value before storing it, and the absorbed steps are skipped.
/// The expressions are the reference's (Add: `a + b`, commutative in IEEE arithmetic; PReLU:
/// `x < 0 ? x · slope : x`; ReLU: `x > 0 ? x : 0`; Clamp: `min(max(x, lo), hi)` with Swift's
/// `max(a, b) = b >= a ? b : a`, `min(a, b) = b < a ? b : a`) in the reference's order on the same
/// rounded convolution output, so results are bit-identical to the unfused run.
///
/// Observers must still see every node's output (POT collects statistics on intermediate tensors):
/// a run whose observers watch any absorbed intermediate (the convolution's output, the bias Add's,
/// the residual Add's when an activation follows) executes the chain unfused.
struct ConvEpilogue {
    /// What follows the bias (and the residual): PReLU reads ``slope``.
    enum Activation: Equatable {
        case none, prelu, relu
        case clamp(lo: Float, hi: Float)
    }

    /// Per output channel.
    let bias: Tensor
    /// PReLU's slope: per output channel, or one value for all (`slopeStride` 0).
    let slope: Tensor?
    let slopeStride: Int
    let activation: Activation
    /// Whether a tensor with the output's shape is added after the bias (a fused residual Add).
    /// Only kernels with ``EpilogueConvolution/supportsResidualEpilogue`` get such epilogues.
    let hasResidual: Bool
    /// Set per run when `hasResidual`: the residual tensor's data and the output tensor's, so that
    /// output element `p` reads `residual[p - output]`.
    var residual: UnsafePointer<Float>? = nil
    var output: UnsafeMutablePointer<Float>? = nil

    init(bias: Tensor, slope: Tensor?, slopeStride: Int, activation: Activation? = nil, hasResidual: Bool = false) {
        self.bias = bias
        self.slope = slope
        self.slopeStride = slopeStride
        self.activation = activation ?? (slope == nil ? .none : .prelu)
        self.hasResidual = hasResidual
    }

    /// Whether only bias (+ PReLU directly after it) is applied: the form every epilogue kernel handles.
    var isBiasPReLU: Bool { !hasResidual && (activation == .none || activation == .prelu) }

    /// The run's copy with the residual's and the output's data pointers.
    func bound(residual r: Tensor?, output y: Tensor) -> ConvEpilogue {
        var e = self
        if hasResidual, let r {
            e.residual = UnsafePointer(r.pointer(Float.self))
            e.output = y.pointer(Float.self)
        }
        return e
    }

    /// Channel `c`'s bias and PReLU slope (1 when there is none).
    @inline(__always)
    func constants(channel c: Int) -> (bias: Float, slope: Float) {
        (bias.pointer(Float.self)[c], slope.map { $0.pointer(Float.self)[c * slopeStride] } ?? 1)
    }

    /// The part applied after the bias, as plain values (no references, so hot loops hoist it
    /// without retain/release).
    var tail: EpilogueTail {
        var t = EpilogueTail()
        t.residual = residual
        t.output = output
        switch activation {
        case .none: t.kind = 0
        case .prelu: t.kind = 1
        case .relu: t.kind = 2
        case .clamp(let lo, let hi): t.kind = 3; t.lo = lo; t.hi = hi
        }
        return t
    }

    /// `act((v + b) + r)` for eight outputs stored at `p`; see ``EpilogueTail``.
    @inline(__always)
    func finish(_ v: SIMD8<Float>, bias b: SIMD8<Float>, slope s: SIMD8<Float>, at p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        tail.finish(v, bias: b, slope: s, at: p)
    }

    /// `y[0..<count] = act((y + bias[c]) + residual)` for channel `c`.
    @inline(__always)
    func apply(_ y: UnsafeMutablePointer<Float>, count: Int, channel c: Int) {
        let (b, s) = constants(channel: c)
        if isBiasPReLU {
            guard slope != nil else {
                for i in 0..<count { y[i] = y[i] + b }
                return
            }
            for i in 0..<count {
                let v = y[i] + b
                y[i] = v < 0 ? v * s : v
            }
            return
        }
        let t = tail
        let bv = SIMD8<Float>(repeating: b), sv = SIMD8<Float>(repeating: s)
        var i = 0
        while i + 8 <= count {
            store8(t.finish(load8(y + i), bias: bv, slope: sv, at: y + i), y + i)
            i += 8
        }
        while i < count {
            y[i] = t.finish(y[i], bias: b, slope: s, at: y + i)
            i += 1
        }
    }
}

/// What a ``ConvEpilogue`` applies after the bias: the residual (output element `p` reads
/// `residual[p - output]`) and the activation (`kind` 0 none, 1 PReLU with the given slope, 2 ReLU,
/// 3 Clamp to `lo...hi`), with the reference's expressions.
struct EpilogueTail {
    var residual: UnsafePointer<Float>? = nil
    var output: UnsafeMutablePointer<Float>? = nil
    var kind = 0
    var lo: Float = 0, hi: Float = 0

    /// `act((v + b) + r)` for eight outputs stored at `p`.
    @inline(__always)
    func finish(_ v: SIMD8<Float>, bias b: SIMD8<Float>, slope s: SIMD8<Float>, at p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        after(v + b, slope: s, at: p)
    }

    /// `act(y + r)` for eight biased outputs stored at `p`.
    @inline(__always)
    func after(_ y: SIMD8<Float>, slope s: SIMD8<Float>, at p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        var y = y
        if let residual, let output { y = y + load8(residual + (p - output)) }
        switch kind {
        case 0: return y
        case 1: return y.replacing(with: y * s, where: y .< 0)
        case 2: return y.replacing(with: 0, where: .!(y .> 0))
        default:
            let l = SIMD8<Float>(repeating: lo), h = SIMD8<Float>(repeating: hi)
            let m = y.replacing(with: l, where: l .>= y)
            return m.replacing(with: h, where: h .< m)
        }
    }

    /// The scalar form of ``finish(_:bias:slope:at:)`` (same expressions).
    @inline(__always)
    func finish(_ v: Float, bias b: Float, slope s: Float, at p: UnsafeMutablePointer<Float>) -> Float {
        after(v + b, slope: s, at: p)
    }

    /// The scalar form of ``after(_:slope:at:)``.
    @inline(__always)
    func after(_ y: Float, slope s: Float, at p: UnsafeMutablePointer<Float>) -> Float {
        var y = y
        if let residual, let output { y = y + residual[p - output] }
        switch kind {
        case 0: return y
        case 1: return y < 0 ? y * s : y
        case 2: return y > 0 ? y : 0
        default:
            let m = lo >= y ? lo : y
            return hi < m ? hi : m
        }
    }

    /// `y[0..<count] = act(y + r)` in place, for outputs already biased (kernels that store the
    /// biased values from registers first and finish a cache-resident block afterwards, keeping
    /// their inner loops free of the residual stream and the activation's branches).
    func finishRow(_ y: UnsafeMutablePointer<Float>, count: Int, slope s: Float) {
        // One specialised loop per activation, the residual offset taken once (the per-element
        // form re-tests both for every vector).
        let r: UnsafePointer<Float>? = if let residual, let output { residual + (y - output) } else { nil }
        let k = TailConstants(slope: s, lo: lo, hi: hi)
        switch kind {
        case 0: Self.loop(y, r, count, k, TailNone.self)
        case 1: Self.loop(y, r, count, k, TailPReLU.self)
        case 2: Self.loop(y, r, count, k, TailReLU.self)
        default: Self.loop(y, r, count, k, TailClamp.self)
        }
    }

    @inline(__always)
    private static func loop<A: TailActivation>(_ y: UnsafeMutablePointer<Float>, _ r: UnsafePointer<Float>?, _ count: Int,
                                                _ k: TailConstants, _: A.Type) {
        let k8 = TailConstants8(k)
        var i = 0
        if let r {
            while i + 8 <= count { store8(A.apply(load8(y + i) + load8(r + i), k8), y + i); i += 8 }
            while i < count { y[i] = A.apply(y[i] + r[i], k); i += 1 }
        } else {
            while i + 8 <= count { store8(A.apply(load8(y + i), k8), y + i); i += 8 }
            while i < count { y[i] = A.apply(y[i], k); i += 1 }
        }
    }
}

/// A convolution kernel that can apply a ``ConvEpilogue`` as it writes its output.
protocol EpilogueConvolution: Kernel {
    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext, epilogue: ConvEpilogue?) throws
    /// Whether the kernel applies every ``ConvEpilogue`` (residual Add, ReLU, Clamp) through
    /// ``ConvEpilogue/finish(_:bias:slope:at:)`` or ``ConvEpilogue/apply(_:count:channel:)``;
    /// otherwise it only gets bias (+ PReLU) epilogues.
    var supportsResidualEpilogue: Bool { get }
}

extension EpilogueConvolution {
    var supportsResidualEpilogue: Bool { false }
}

/// A Convolution step followed by the steps it absorbs: a bias Add, then optionally a residual Add
/// of another tensor of the output's shape, then optionally an activation (PReLU, ReLU, Clamp).
struct ConvFusion {
    /// Steps after the convolution that a fused run skips (1 to 3).
    let absorbed: Int
    /// Slots a fused run never produces (the convolution's output and each absorbed step's but the last).
    let hiddenSlots: [Int]
    /// Where the fused result goes (the last absorbed step's output) and its type and shape.
    let outputSlot: Int
    let outputInfo: ValueInfo
    /// The residual Add's other input, when one is absorbed.
    let residualSlot: Int?
    let epilogue: ConvEpilogue
    /// The absorbed ops, for traces (`Add+Add+PReLU`).
    let label: String

    /// Finds the chain starting at `steps[i]`: an f32 convolution with a fast kernel whose only
    /// reader is the next step, an Add of a constant `[1, C, 1, …]` bias (either input), whose only
    /// reader may be an Add of another f32 tensor with the same shape (kernels that support it), whose
    /// (or the bias Add's) only reader may be a PReLU with a constant per-channel or single slope,
    /// or (kernels that support it) a ReLU or Clamp.
    static func find(at i: Int, steps: [Step], constants: [Int: Tensor], lastUse: [Int], infos: [ValueInfo]) -> ConvFusion? {
        let conv = steps[i]
        guard let kernel = conv.kernel as? EpilogueConvolution, i + 1 < steps.count, conv.outputSlots.count == 1,
              let out = conv.staticInfos?.first, out.elementType == .f32, let shape = out.shape.staticShape,
              shape.count >= 3 else { return nil }
        let c = shape[1], s = conv.outputSlots[0]
        let add = steps[i + 1]
        guard add.node.type == "Add", add.kernel is SIMDBinaryKernel, lastUse[s] == i + 1,
              add.inputSlots.filter({ $0 == s }).count == 1, add.outputSlots.count == 1,
              let other = add.inputSlots.first(where: { $0 != s }), let bias = constants[other],
              bias.elementType == .f32, bias.count == c, bias.shape.count <= shape.count,
              let addOut = add.staticInfos?.first, addOut.shape.staticShape == shape else { return nil }
        // The bias must broadcast along the channel axis only.
        let padded = Array(repeating: 1, count: shape.count - bias.shape.count) + bias.shape
        guard padded[1] == c, padded.enumerated().allSatisfy({ $0.offset == 1 || $0.element == 1 }) else { return nil }
        let extended = kernel.supportsResidualEpilogue
        var hidden = [s], current = add.outputSlots[0], currentInfo = addOut, next = i + 2
        var labels = ["Add"]
        // The only reader of `current` is step `next`, which reads it once as its first (or either, for Add) input.
        func soleReader(_ j: Int, type: String) -> Step? {
            guard j < steps.count, lastUse[current] == j else { return nil }
            let st = steps[j]
            guard st.node.type == type, st.outputSlots.count == 1, st.inputSlots.filter({ $0 == current }).count == 1,
                  let o = st.staticInfos?.first, o.elementType == .f32, o.shape.staticShape == shape else { return nil }
            return st
        }
        // A residual Add: the other input is any f32 tensor of the output's shape, produced before the convolution.
        var residual: Int? = nil
        if extended, let st = soleReader(next, type: "Add"), st.kernel is SIMDBinaryKernel, st.inputSlots.count == 2,
           let r = st.inputSlots.first(where: { $0 != current }), r < infos.count, infos[r].elementType == .f32,
           infos[r].shape.staticShape == shape {
            residual = r
            hidden.append(current)
            current = st.outputSlots[0]; currentInfo = st.staticInfos![0]; next += 1
            labels.append("Add")
        }
        var activation = ConvEpilogue.Activation.none
        var slope: Tensor? = nil, slopeStride = 0
        if let prelu = soleReader(next, type: "PReLU"), prelu.kernel is SIMDPReLUKernel, prelu.inputSlots.count == 2,
           prelu.inputSlots[0] == current, let sl = constants[prelu.inputSlots[1]], sl.elementType == .f32 {
            let perChannel: Bool
            if sl.count == 1 {
                perChannel = false
            } else if PReLUKernel.channelAxis(shape, sl.shape) == 1 {
                perChannel = true
            } else {
                let sp = Array(repeating: 1, count: Swift.max(0, shape.count - sl.shape.count)) + sl.shape
                perChannel = sl.count == c && sp.count == shape.count && sp[1] == c
                    && sp.enumerated().allSatisfy { $0.offset == 1 || $0.element == 1 }
            }
            if sl.count == 1 || perChannel {
                activation = .prelu; slope = sl; slopeStride = perChannel ? 1 : 0
                labels.append("PReLU")
            }
        } else if extended, let act = soleReader(next, type: "Relu") ?? soleReader(next, type: "Clamp"),
                  let k = act.kernel as? SIMDActivationKernel, act.inputSlots == [current] {
            switch k.reference.op {
            case .relu: activation = .relu; labels.append("Relu")
            case .clamp(let lo, let hi): activation = .clamp(lo: Float(lo), hi: Float(hi)); labels.append("Clamp")
            default: break
            }
        }
        if activation != .none {
            hidden.append(current)
            current = steps[next].outputSlots[0]; currentInfo = steps[next].staticInfos![0]; next += 1
        }
        return ConvFusion(absorbed: next - i - 1, hiddenSlots: hidden, outputSlot: current, outputInfo: currentInfo,
                          residualSlot: residual,
                          epilogue: ConvEpilogue(bias: bias, slope: slope, slopeStride: slopeStride, activation: activation,
                                                 hasResidual: residual != nil),
                          label: labels.joined(separator: "+"))
    }
}

/// An epilogue activation as a type, so ``EpilogueTail/finishRow(_:count:slope:)`` specialises its
/// loops (the expressions are those of ``EpilogueTail/after(_:slope:at:)``).
protocol TailActivation {
    static func apply(_ y: SIMD8<Float>, _ k: TailConstants8) -> SIMD8<Float>
    static func apply(_ y: Float, _ k: TailConstants) -> Float
}
struct TailConstants { let slope: Float, lo: Float, hi: Float }
struct TailConstants8 {
    let slope: SIMD8<Float>, lo: SIMD8<Float>, hi: SIMD8<Float>
    init(_ k: TailConstants) {
        slope = SIMD8(repeating: k.slope); lo = SIMD8(repeating: k.lo); hi = SIMD8(repeating: k.hi)
    }
}
enum TailNone: TailActivation {
    @inline(__always) static func apply(_ y: SIMD8<Float>, _ k: TailConstants8) -> SIMD8<Float> { y }
    @inline(__always) static func apply(_ y: Float, _ k: TailConstants) -> Float { y }
}
enum TailPReLU: TailActivation {
    @inline(__always) static func apply(_ y: SIMD8<Float>, _ k: TailConstants8) -> SIMD8<Float> {
        y.replacing(with: y * k.slope, where: y .< 0)
    }
    @inline(__always) static func apply(_ y: Float, _ k: TailConstants) -> Float { y < 0 ? y * k.slope : y }
}
enum TailReLU: TailActivation {
    @inline(__always) static func apply(_ y: SIMD8<Float>, _ k: TailConstants8) -> SIMD8<Float> {
        y.replacing(with: 0, where: .!(y .> 0))
    }
    @inline(__always) static func apply(_ y: Float, _ k: TailConstants) -> Float { y > 0 ? y : 0 }
}
enum TailClamp: TailActivation {
    @inline(__always) static func apply(_ y: SIMD8<Float>, _ k: TailConstants8) -> SIMD8<Float> {
        let m = y.replacing(with: k.lo, where: k.lo .>= y)
        return m.replacing(with: k.hi, where: k.hi .< m)
    }
    @inline(__always) static func apply(_ y: Float, _ k: TailConstants) -> Float {
        let m = k.lo >= y ? k.lo : y
        return k.hi < m ? k.hi : m
    }
}
