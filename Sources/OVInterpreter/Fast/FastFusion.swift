/// Convolution + bias Add (+ per-channel Multiply (+ Add)) (+ FakeQuantize) (+ residual Add)
/// (+ activation) (+ FakeQuantize) fused into the convolution's output pass.
///
/// MediaPipe-style models follow every Convolution / GroupConvolution by an Add of a per-channel
/// constant bias; residual blocks then add the block's input (`conv → Add(bias) → Add(x) → PReLU`),
/// other blocks apply an activation to the biased output directly, and POT's INT8 graphs put a
/// per-tensor FakeQuantize on the biased output (before the residual Add or the next convolution).
/// Run separately each of those is one more pass over the tensor, one more buffer and one more
/// step. BatchNorm exported from ONNX often stays as `Multiply(scale) → Add(shift)` with per-channel
/// constants after a convolution without bias (YOLO's and EfficientNet's conv → BN → Swish), and
/// those fuse too. When compiling, ``CompiledModel`` records such chains (``ConvFusion.find``); at run time
/// the convolution stores `y + bias[c]` and then applies the absorbed ops in order (``TailOp``) to
/// each block of outputs while it is in cache, and the absorbed steps are skipped. The expressions
/// are the reference's (Add: `a + b` and Multiply: `a · b`, commutative in IEEE arithmetic;
/// PReLU: `x < 0 ? x · slope : x`;
/// ReLU: `x > 0 ? x : 0`; Clamp: `min(max(x, lo), hi)` with Swift's `max(a, b) = b >= a ? b : a`,
/// `min(a, b) = b < a ? b : a`; FakeQuantize: ``SIMDFakeQuantizeKernel``'s; Swish, HSwish, Sigmoid:
/// ``SIMDSwishKernel``'s and ``SIMDActivationKernel``'s functions) on the same rounded values in
/// the same order, so results are bit-identical to the unfused run.
///
/// Observers must still see every node's output (POT collects statistics on intermediate tensors):
/// a run whose observers watch any absorbed intermediate (the convolution's output and every
/// absorbed step's output but the last) executes the chain unfused.
struct ConvEpilogue {
    /// Per output channel; nil when the chain starts with a Multiply (a convolution without bias
    /// followed by BatchNorm's scale).
    let bias: Tensor?
    /// PReLU's slope: per output channel, or one value for all (`slopeStride` 0).
    let slope: Tensor?
    let slopeStride: Int
    /// Per output channel: ``TailOp/scale``'s factors and ``TailOp/shift``'s addends.
    let scale: Tensor?, shift: Tensor?
    /// What follows the bias, in order (empty, or `[.prelu]`, for the plain bias (+ PReLU) form).
    let ops: [TailOp]
    /// Set per run when `ops` has `.residual`: the residual tensor's data and the output tensor's,
    /// so that output element `p` reads `residual[p - output]`.
    var residual: UnsafePointer<Float>? = nil
    var output: UnsafeMutablePointer<Float>? = nil

    init(bias: Tensor?, slope: Tensor?, slopeStride: Int, ops: [TailOp]? = nil, scale: Tensor? = nil, shift: Tensor? = nil) {
        self.bias = bias
        self.slope = slope
        self.slopeStride = slopeStride
        self.scale = scale
        self.shift = shift
        self.ops = ops ?? (slope == nil ? [] : [.prelu])
    }

    /// Whether only bias (+ PReLU directly after it) is applied: the form every epilogue kernel
    /// handles in registers. Other epilogues (and those without a bias) go through ``EpilogueTail``.
    var isBiasPReLU: Bool { bias != nil && (ops.isEmpty || ops == [.prelu]) }
    var hasResidual: Bool { ops.contains(.residual) }

    /// The run's copy with the residual's and the output's data pointers.
    func bound(residual r: Tensor?, output y: Tensor) -> ConvEpilogue {
        var e = self
        if hasResidual, let r {
            e.residual = UnsafePointer(r.pointer(Float.self))
            e.output = y.pointer(Float.self)
        }
        return e
    }

    /// Channel `c`'s bias (0 when there is none: kernels then skip the addition) and PReLU slope
    /// (1 when there is none).
    @inline(__always)
    func constants(channel c: Int) -> (bias: Float, slope: Float) {
        (bias.map { $0.pointer(Float.self)[c] } ?? 0, slope.map { $0.pointer(Float.self)[c * slopeStride] } ?? 1)
    }

    /// Channel `c`'s constants of the ops after the bias.
    @inline(__always)
    func tailConstants(channel c: Int) -> TailChannel {
        TailChannel(slope: slope.map { $0.pointer(Float.self)[c * slopeStride] } ?? 1,
                    scale: scale.map { $0.pointer(Float.self)[c] } ?? 1,
                    shift: shift.map { $0.pointer(Float.self)[c] } ?? 0)
    }

    /// The ops after the bias as plain values (no references, so kernels hoist it out of loops).
    var tail: EpilogueTail {
        var t = EpilogueTail()
        t.residual = residual
        t.output = output
        precondition(ops.count <= 6, "a fused convolution applies at most 6 ops after its bias")
        t.count = ops.count
        for (k, op) in ops.enumerated() {
            switch k {
            case 0: t.ops.0 = op
            case 1: t.ops.1 = op
            case 2: t.ops.2 = op
            case 3: t.ops.3 = op
            case 4: t.ops.4 = op
            default: t.ops.5 = op
            }
        }
        return t
    }

    /// `y[0..<count] = ops(y + bias[c])` for channel `c`.
    @inline(__always)
    func apply(_ y: UnsafeMutablePointer<Float>, count: Int, channel c: Int) {
        let (b, s) = constants(channel: c)
        guard bias != nil else {
            tail.finishRow(y, count: count, channel: tailConstants(channel: c))
            return
        }
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
        for i in 0..<count { y[i] = y[i] + b }
        tail.finishRow(y, count: count, channel: tailConstants(channel: c))
    }
}

/// One op a fused convolution applies after its bias.
enum TailOp: Equatable {
    /// Adds the bound residual tensor.
    case residual
    /// Multiplies by the channel's ``ConvEpilogue/scale``; adds its ``ConvEpilogue/shift``.
    case scale, shift
    case prelu, relu
    case clamp(lo: Float, hi: Float)
    /// `x / (1 + e^(−beta·x))` (Swish-4 with a constant beta), HSwish-4, Sigmoid-1.
    case swish(beta: Float), hSwish, sigmoid
    /// Per-tensor FakeQuantize: input range `il...ih`, output range `ol...oh`, `levels - 1` steps.
    case fakeQuantize(il: Float, ih: Float, ol: Float, oh: Float, steps: Float)
}

/// What a ``ConvEpilogue`` applies after the bias (up to six ``TailOp``s, in order), as plain
/// values: kernels store the biased outputs from registers and finish each cache-resident row or
/// block with ``finishRow(_:count:slope:)`` — one vector loop per op — keeping their inner loops
/// free of the residual stream and the ops' branches.
struct EpilogueTail {
    var residual: UnsafePointer<Float>? = nil
    var output: UnsafeMutablePointer<Float>? = nil
    var ops: (TailOp, TailOp, TailOp, TailOp, TailOp, TailOp) = (.relu, .relu, .relu, .relu, .relu, .relu)
    var count = 0

    /// `y[0..<count] = ops(y)` in place, for outputs already biased; `ch` holds the channel's
    /// PReLU slope, scale and shift.
    func finishRow(_ y: UnsafeMutablePointer<Float>, count n: Int, channel ch: TailChannel) {
        for k in 0..<count {
            let op = k == 0 ? ops.0 : k == 1 ? ops.1 : k == 2 ? ops.2 : k == 3 ? ops.3 : k == 4 ? ops.4 : ops.5
            switch op {
            case .scale:
                let v = SIMD8<Float>(repeating: ch.scale)
                var i = 0
                while i + 8 <= n { store8(load8(y + i) * v, y + i); i += 8 }
                while i < n { y[i] = y[i] * ch.scale; i += 1 }
            case .shift:
                let v = SIMD8<Float>(repeating: ch.shift)
                var i = 0
                while i + 8 <= n { store8(load8(y + i) + v, y + i); i += 8 }
                while i < n { y[i] = y[i] + ch.shift; i += 1 }
            case .swish(let beta):
                // ``SIMDSwishKernel``'s two forms.
                if beta == 1 {
                    VMath.map(y, y, n, SwishF.self)
                } else {
                    for i in 0..<n { y[i] = y[i] / (1 + VMath.exp(-beta * y[i])) }
                }
            case .hSwish: VMath.map(y, y, n, HSwishF.self)
            case .sigmoid: VMath.map(y, y, n, SigmoidF.self)
            case .residual:
                guard let residual, let output else { continue }
                let r = residual + (y - output)
                var i = 0
                while i + 8 <= n { store8(load8(y + i) + load8(r + i), y + i); i += 8 }
                while i < n { y[i] = y[i] + r[i]; i += 1 }
            case .prelu: Self.loop(y, n, TailConstants(slope: ch.slope), TailPReLU.self)
            case .relu: Self.loop(y, n, TailConstants(), TailReLU.self)
            case .clamp(let lo, let hi): Self.loop(y, n, TailConstants(lo: lo, hi: hi), TailClamp.self)
            case .fakeQuantize(let il, let ih, let ol, let oh, let steps):
                Self.loop(y, n, TailConstants(lo: Swift.min(il, ih), hi: Swift.max(il, ih), il: il, ih: ih, ol: ol, oh: oh, steps: steps),
                          TailFakeQuantize.self)
            }
        }
    }

    @inline(__always)
    private static func loop<A: TailActivation>(_ y: UnsafeMutablePointer<Float>, _ n: Int, _ k: TailConstants, _: A.Type) {
        let k8 = TailConstants8(k)
        var i = 0
        while i + 8 <= n { store8(A.apply(load8(y + i), k8), y + i); i += 8 }
        while i < n { y[i] = A.apply(y[i], k); i += 1 }
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

/// A Convolution step followed by the steps it absorbs: a bias Add, then optionally (kernels with
/// ``EpilogueConvolution/supportsResidualEpilogue``) a per-tensor FakeQuantize, a residual Add of
/// another tensor of the output's shape, an activation (PReLU, ReLU, Clamp) and a per-tensor
/// FakeQuantize, in that order. (Other kernels absorb bias (+ PReLU) only.)
struct ConvFusion {
    /// Steps after the convolution that a fused run skips (1 to 7).
    let absorbed: Int
    /// Slots a fused run never produces (the convolution's output and each absorbed step's but the last).
    let hiddenSlots: [Int]
    /// Where the fused result goes (the last absorbed step's output) and its type and shape.
    let outputSlot: Int
    let outputInfo: ValueInfo
    /// The residual Add's other input, when one is absorbed.
    let residualSlot: Int?
    let epilogue: ConvEpilogue
    /// The absorbed ops, for traces (`Add+FakeQuantize+Add+PReLU`).
    let label: String

    /// Finds the chain starting at `steps[i]`: an f32 convolution with a fast kernel whose only
    /// reader is the next step, then an Add of a constant `[1, C, 1, …]` bias (either input) and/or
    /// (kernels with ``EpilogueConvolution/supportsResidualEpilogue``) a Multiply by such a constant
    /// followed by an optional Add of one (BatchNorm's scale and shift); each later absorbed step
    /// is the only reader of the previous one's output and keeps the output's shape.
    static func find(at i: Int, steps: [Step], constants: [Int: Tensor], lastUse: [Int], infos: [ValueInfo]) -> ConvFusion? {
        let conv = steps[i]
        guard let kernel = conv.kernel as? EpilogueConvolution, i + 1 < steps.count, conv.outputSlots.count == 1,
              let out = conv.staticInfos?.first, out.elementType == .f32, let shape = out.shape.staticShape,
              shape.count >= 3 else { return nil }
        let c = shape[1]
        let extended = kernel.supportsResidualEpilogue
        var hidden: [Int] = [], current = conv.outputSlots[0], currentInfo = out, next = i + 1
        var labels: [String] = [], ops: [TailOp] = []
        var slope: Tensor? = nil, slopeStride = 0, residual: Int? = nil
        // Step `next` if it is the only reader of `current`, reads it once and keeps the shape.
        func soleReader(type: String) -> Step? {
            guard next < steps.count, lastUse[current] == next else { return nil }
            let st = steps[next]
            guard st.node.type == type, st.outputSlots.count == 1, st.inputSlots.filter({ $0 == current }).count == 1,
                  let o = st.staticInfos?.first, o.elementType == .f32, o.shape.staticShape == shape else { return nil }
            return st
        }
        func absorb(_ st: Step, _ op: TailOp, _ label: String) {
            hidden.append(current)
            current = st.outputSlots[0]; currentInfo = st.staticInfos![0]; next += 1
            ops.append(op); labels.append(label)
        }
        // An Add / Multiply (SIMD binary kernel) of `current` and a constant with one value per
        // channel, broadcast along the channel axis only.
        func channelConstant(type: String) -> (Step, Tensor)? {
            guard let st = soleReader(type: type), st.kernel is SIMDBinaryKernel, st.inputSlots.count == 2,
                  let other = st.inputSlots.first(where: { $0 != current }), let t = constants[other],
                  t.elementType == .f32, t.count == c, t.shape.count <= shape.count else { return nil }
            let padded = Array(repeating: 1, count: shape.count - t.shape.count) + t.shape
            guard padded[1] == c, padded.enumerated().allSatisfy({ $0.offset == 1 || $0.element == 1 }) else { return nil }
            return (st, t)
        }
        var bias: Tensor? = nil, scale: Tensor? = nil, shift: Tensor? = nil
        if let (st, t) = channelConstant(type: "Add") {
            bias = t
            hidden.append(current)
            current = st.outputSlots[0]; currentInfo = st.staticInfos![0]; next += 1
            labels.append("Add")
        }
        if extended, let (st, t) = channelConstant(type: "Multiply") {
            scale = t
            absorb(st, .scale, "Multiply")
            if let (st2, t2) = channelConstant(type: "Add") {
                shift = t2
                absorb(st2, .shift, "Add")
            }
        }
        // Without a bias or a scale, only kernels that take every epilogue fuse (the chain then
        // starts with the ops below: a convolution without bias followed by its activation, as in
        // C3D-style video models).
        guard bias != nil || scale != nil || extended else { return nil }
        // A FakeQuantize of the data with one constant value per range input (POT's activation quantizers).
        func fakeQuantize() -> (Step, TailOp)? {
            guard extended, let st = soleReader(type: "FakeQuantize"), let k = st.kernel as? SIMDFakeQuantizeKernel,
                  st.inputSlots.count == 5, st.inputSlots[0] == current else { return nil }
            let r = st.inputSlots[1...4].compactMap { constants[$0] }
            guard r.count == 4, r.allSatisfy({ $0.elementType == .f32 && $0.count == 1 }) else { return nil }
            let v = r.map { $0.pointer(Float.self)[0] }
            return (st, .fakeQuantize(il: v[0], ih: v[1], ol: v[2], oh: v[3], steps: Float(k.reference.levels - 1)))
        }
        if let (st, op) = fakeQuantize() { absorb(st, op, "FakeQuantize") }
        // A residual Add: the other input is any f32 tensor of the output's shape, produced before the convolution.
        if extended, let st = soleReader(type: "Add"), st.kernel is SIMDBinaryKernel, st.inputSlots.count == 2,
           let r = st.inputSlots.first(where: { $0 != current }), r < infos.count, infos[r].elementType == .f32,
           infos[r].shape.staticShape == shape {
            residual = r
            absorb(st, .residual, "Add")
        }
        if let prelu = soleReader(type: "PReLU"), prelu.kernel is SIMDPReLUKernel, prelu.inputSlots.count == 2,
           prelu.inputSlots[0] == current, let sl = constants[prelu.inputSlots[1]], sl.elementType == .f32,
           extended || ops.isEmpty {
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
                slope = sl; slopeStride = perChannel ? 1 : 0
                absorb(prelu, .prelu, "PReLU")
            }
        } else if extended, let act = soleReader(type: "ReLU") ?? soleReader(type: "Relu") ?? soleReader(type: "Clamp")
                    ?? soleReader(type: "HSwish") ?? soleReader(type: "Sigmoid"),
                  let k = act.kernel as? SIMDActivationKernel, act.inputSlots == [current] {
            switch k.reference.op {
            // IRs spell opset1 Relu "ReLU" (OpenVINO's serializer); graphs built in code may say "Relu".
            case .relu: absorb(act, .relu, act.node.type)
            case .clamp(let lo, let hi): absorb(act, .clamp(lo: Float(lo), hi: Float(hi)), "Clamp")
            case .hSwish: absorb(act, .hSwish, "HSwish")
            case .sigmoid: absorb(act, .sigmoid, "Sigmoid")
            default: break
            }
        } else if extended, let act = soleReader(type: "Swish"), act.kernel is SIMDSwishKernel, act.inputSlots[0] == current {
            // Swish-4's beta: absent (1) or one constant value.
            let beta: Float?
            if act.inputSlots.count == 1 {
                beta = 1
            } else if act.inputSlots.count == 2, let b = constants[act.inputSlots[1]], b.elementType == .f32, b.count == 1 {
                beta = b.pointer(Float.self)[0]
            } else {
                beta = nil
            }
            if let beta { absorb(act, .swish(beta: beta), "Swish") }
        }
        // The quantizer of the block's output (POT's input quantizer of the next layer).
        var endsQuantized = false
        if case .fakeQuantize? = ops.last { endsQuantized = true }
        if !endsQuantized, let (st, op) = fakeQuantize() { absorb(st, op, "FakeQuantize") }
        guard bias != nil || !ops.isEmpty else { return nil }
        return ConvFusion(absorbed: next - i - 1, hiddenSlots: hidden, outputSlot: current, outputInfo: currentInfo,
                          residualSlot: residual,
                          epilogue: ConvEpilogue(bias: bias, slope: slope, slopeStride: slopeStride, ops: ops, scale: scale, shift: shift),
                          label: labels.joined(separator: "+"))
    }
}

extension ConvFusion {
    /// Moves steps that do not depend on a convolution chain to before the convolution when a
    /// later residual Add of the chain (an Add whose other input is not a constant) reads one of their
    /// outputs, so that ``find(at:steps:constants:lastUse:infos:)``
    /// can absorb the Add (its other input must exist when the convolution runs).
    ///
    /// POT's INT8 graphs put a FakeQuantize between a downsampling block's convolution and its
    /// residual Add; the topological order then schedules the block's shortcut (MaxPool → Pad) after
    /// the convolution's chain instead of before it (`conv → Add(bias) → FQ`, `Pad`, `Add(·, Pad)`,
    /// `PReLU`, `FQ`), and the Add, PReLU and FQ ran as three more passes. Only steps between the
    /// convolution and that Add that read none of the chain's outputs move, keeping their order; the
    /// chain itself (each step reading the previous one's output) stays, so every step still runs
    /// after its inputs. Values are unchanged: the same kernels run on the same inputs.
    static func hoistResidualProducers(_ steps: inout [Step], isConstant: (Int) -> Bool, window: Int = 8) {
        var i = 0
        while i < steps.count {
            defer { i += 1 }
            guard steps[i].kernel is EpilogueConvolution, steps[i].outputSlots.count == 1 else { continue }
            var chain: Set<Int> = [steps[i].outputSlots[0]]
            var current = steps[i].outputSlots[0]
            var movers: [Int] = []
            var j = i + 1
            while j < steps.count && j <= i + window {
                let st = steps[j]
                let chainReads = st.inputSlots.filter { chain.contains($0) }
                if chainReads.isEmpty { movers.append(j); j += 1; continue }
                guard chainReads == [current], st.outputSlots.count == 1 else { break }
                if st.node.type == "Add", let other = st.inputSlots.first(where: { $0 != current }), !isConstant(other) {
                    // The residual Add: hoist the steps before it when one of them produces its other input.
                    if movers.contains(where: { steps[$0].outputSlots.contains(other) }) {
                        let moved = movers.map { steps[$0] }
                        let kept = (i..<j).filter { !movers.contains($0) }.map { steps[$0] }
                        steps.replaceSubrange(i..<j, with: moved + kept)
                        i += moved.count
                    }
                    break
                }
                chain.insert(st.outputSlots[0])
                current = st.outputSlots[0]
                j += 1
            }
        }
    }
}

/// One output channel's constants for ``EpilogueTail/finishRow(_:count:channel:)``.
struct TailChannel {
    var slope: Float = 1, scale: Float = 1, shift: Float = 0
}

/// A tail op as a type, so ``EpilogueTail/finishRow(_:count:channel:)`` specialises its loops.
protocol TailActivation {
    static func apply(_ y: SIMD8<Float>, _ k: TailConstants8) -> SIMD8<Float>
    static func apply(_ y: Float, _ k: TailConstants) -> Float
}
struct TailConstants {
    var slope: Float = 1, lo: Float = 0, hi: Float = 0
    var il: Float = 0, ih: Float = 0, ol: Float = 0, oh: Float = 0, steps: Float = 1
}
struct TailConstants8 {
    let slope, lo, hi, il, ih, ol, oh, steps: SIMD8<Float>
    init(_ k: TailConstants) {
        slope = SIMD8(repeating: k.slope); lo = SIMD8(repeating: k.lo); hi = SIMD8(repeating: k.hi)
        il = SIMD8(repeating: k.il); ih = SIMD8(repeating: k.ih); ol = SIMD8(repeating: k.ol); oh = SIMD8(repeating: k.oh)
        steps = SIMD8(repeating: k.steps)
    }
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
/// ``SIMDFakeQuantizeKernel``'s expression: `x <= lo ? ol : (x > hi ? oh : q)` with
/// `q = round((x - il) / (ih - il) · steps) / steps · (oh - ol) + ol` (lo, hi: the ordered input range).
enum TailFakeQuantize: TailActivation {
    @inline(__always) static func apply(_ x: SIMD8<Float>, _ k: TailConstants8) -> SIMD8<Float> {
        var q = ((x - k.il) / (k.ih - k.il) * k.steps).rounded(.toNearestOrEven) / k.steps * (k.oh - k.ol) + k.ol
        q.replace(with: k.oh, where: x .> k.hi)
        q.replace(with: k.ol, where: x .<= k.lo)
        return q
    }
    @inline(__always) static func apply(_ x: Float, _ k: TailConstants) -> Float {
        let q = ((x - k.il) / (k.ih - k.il) * k.steps).rounded(.toNearestOrEven) / k.steps * (k.oh - k.ol) + k.ol
        return x <= k.lo ? k.ol : (x > k.hi ? k.oh : q)
    }
}
