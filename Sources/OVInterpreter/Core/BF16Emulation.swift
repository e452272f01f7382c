// DEVELOPER-ONLY: emulation of OpenVINO's CPU plugin running a model with bf16 inference precision.
//
// Not part of the public contract (../shared/spec). It exists to explain why the shared POT golden
// (`../shared/models/*/pot/fq.json`, made on an AMX CPU where OpenVINO 2023.3 defaults to bf16 and
// POT's IEEngine sets no INFERENCE_PRECISION_HINT) differs from POT run in f32; see
// docs/POT_ALGORITHMS.md, "Why face_landmark/palm ranges differ from the shared golden", and
// scripts/bf16_golden_study.py. Default: `.off`, which costs one branch per node when compiling
// and nothing per element.
//
// What OpenVINO does (learned from src/plugins/intel_cpu/src/graph.cpp `Graph::EnforceInferencePrecision`,
// 2023.x; no code copied): with bf16 inference precision, every node's f32 inputs and outputs are
// switched to bf16, EXCEPT the "graph tail" — the nodes reached by walking back from each Result
// until a Convolution (also GroupConvolution), FullyConnected, MatMul, RNN, ROIPooling or
// Interpolate node stops the walk — and inputs coming straight from constants (weights are
// converted to bf16 by the bf16 convolution / inner-product primitive itself). Conversions
// f32→bf16 round to nearest even (oneDNN reorders; vcvtneps2bf16); primitives accumulate in f32.
//
// POT's statistics model (openvino/tools/pot/statistics/statistic_graph_builder.py) hangs a
// Reduce* + Result on every tensor it measures, so almost every non-compute node is in the tail
// and stays f32. What remains bf16 is modelled by `.potStatistics`:
//   - Convolution / GroupConvolution: the data input and the weights are rounded; the output is
//     not (the bias Add is fused into the convolution in the CPU graph and keeps the tail's f32).
//   - MatMul: both inputs rounded. With a constant input it becomes a FullyConnected, and a
//     following bias Add (constant operand) is fused into it before precisions are enforced
//     (intel_cpu FullyConnectedBiasFusion), so the Add's output is rounded; POT's extra
//     statistics outputs on that tensor keep any activation from fusing behind it. Without a
//     bias Add the MatMul's own output is rounded. An activation×activation MatMul whose single
//     consumer is an elementwise op with a constant operand fuses it (f32 tail) and is not
//     rounded; otherwise its output is rounded.
//   - Interpolate: data input and output rounded.
// `.everyTensor` additionally rounds every f32 output of every node: the interior of a plain
// bf16 inference without POT's extra outputs (an upper bound on the rounding POT's run saw).
// `.openvino` applies the rule itself per run (`BF16Graph`): the tail is walked back from the
// Results and from every tensor the run observes (POT's alignment pass observes only the aligned
// producers, so most of that graph runs in bf16; its MinMax/bias-correction pass observes nearly
// every activation, so most of that graph is tail). Outside the tail a node rounds its non-constant
// inputs and its outputs, except inside a fused chain (intel_cpu graph_optimizer.cpp: a
// Convolution/MatMul/elementwise head takes in following elementwise ops with constant operands,
// and a convolution one residual Add, while the tensor between has no other reader — an observed
// tensor has one); a Result's producer writes f32 (graph.cpp sets it after enforcing), and so does
// the producer of an observed tensor POT makes an output itself (non-in-place statistics:
// quantiles, FastBiasCorrection's shape; `bf16ModelOutputs` of `CompiledModel.infer`). Weights of
// Convolution/GroupConvolution/MatMul are rounded in every mode but `.off`.
// Not modelled: f32 accumulation order inside AMX / AVX512-BF16 kernels (≈1e-7 relative),
// vcvtneps2bf16 treating f32 denormals as zero.

/// Where ``CompileOptions/bf16Emulation`` rounds to bfloat16. DEVELOPER-ONLY (see the file header).
public enum BF16Emulation: String, Sendable, CaseIterable {
    /// No rounding (the default; f32 everywhere).
    case off
    /// The rounding OpenVINO CPU in bf16 applies inside POT's statistics model.
    case potStatistics = "pot-statistics"
    /// `potStatistics` plus every f32 node output.
    case everyTensor = "every-tensor"
    /// OpenVINO's rule applied to the tensors actually observed in each run: the graph tail is
    /// walked back from the Results and from every observed tensor (POT turns each into a Result),
    /// so it differs between POT's alignment pass and its MinMax/bias-correction pass.
    case openvino
}

/// Float → bfloat16 → Float, round to nearest, ties to even (NaN stays NaN, quieted; overflow
/// past bf16's largest finite value becomes ±inf, as in IEEE rounding).
public enum BF16Rounding {
    @inline(__always)
    public static func round(_ x: Float) -> Float {
        let bits = x.bitPattern
        if x.isNaN { return Float(bitPattern: (bits | 0x0040_0000) & 0xFFFF_0000) }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return Float(bitPattern: rounded & 0xFFFF_0000)
    }

    /// Rounds `count` floats from `src` into `dst` (may be the same memory).
    public static func round(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] = round(src[i]) }
    }

    /// A rounded copy of an f32 tensor (other element types are returned unchanged).
    public static func rounded(_ t: Tensor) -> Tensor {
        guard t.elementType == .f32 else { return t }
        let out = Tensor(uninitialized: .f32, shape: t.shape)
        round(UnsafePointer(t.pointer(Float.self)), into: out.pointer(Float.self), count: t.count)
        return out
    }
}

/// What one plan step rounds (empty for every step when emulation is off).
struct BF16StepRounding {
    /// Indices of non-constant inputs to round before the kernel runs.
    var inputs: [Int] = []
    /// Round every f32 output after the kernel ran.
    var outputs = false
    var isEmpty: Bool { inputs.isEmpty && !outputs }
}

/// Compile-time decisions of the emulation (see the file header for the rules).
struct BF16Planner {
    let mode: BF16Emulation
    let consumers: [ObjectIdentifier: [[(node: Node, input: Int)]]]
    /// MatMul outputs whose rounding moves to the bias Add that consumes them.
    private(set) var biasFusedMatMuls: Set<OutputRef> = []

    init(mode: BF16Emulation, graph: Graph) {
        self.mode = mode
        self.consumers = mode == .off ? [:] : graph.consumerMap()
    }

    private func consumersOf(_ ref: OutputRef) -> [(node: Node, input: Int)] {
        let byPort = consumers[ObjectIdentifier(ref.node)] ?? []
        return ref.index < byPort.count ? byPort[ref.index] : []
    }

    /// Inputs whose rounding is planned for `node` (constants included; the caller rounds those
    /// once), and whether its outputs are rounded. `isConstant(k)`: input k is known when compiling.
    mutating func plan(_ node: Node, inputCount: Int, isConstant: (Int) -> Bool) -> (inputs: [Int], outputs: Bool) {
        guard mode != .off else { return ([], false) }
        if mode == .openvino {
            // Weights only (constants, rounded once); everything else is planned per run (BF16Graph).
            guard ["Convolution", "GroupConvolution", "MatMul"].contains(node.type) else { return ([], false) }
            return (Array(0..<min(2, inputCount)).filter(isConstant), false)
        }
        var inputs: [Int] = []
        var outputs = mode == .everyTensor
        switch node.type {
        case "Convolution", "GroupConvolution":
            inputs = Array(0..<min(2, inputCount))
        case "MatMul":
            inputs = Array(0..<min(2, inputCount))
            let hasConstant = (0..<inputCount).contains(where: isConstant)
            let uses = consumersOf(node.output(0))
            if hasConstant {
                if uses.count == 1, uses[0].node.type == "Add", uses[0].node.inputs.count == 2,
                   uses[0].node.inputs[1 - uses[0].input].source?.node.type == "Const" {
                    biasFusedMatMuls.insert(node.output(0))   // decided when the Add is planned
                } else {
                    outputs = true
                }
            } else {
                let fusable = uses.count == 1 && ["Add", "Multiply", "Subtract", "Divide"].contains(uses[0].node.type)
                if !fusable { outputs = true }
            }
        case "Interpolate":
            inputs = [0]
            outputs = true
        case "Add":
            if node.inputs.contains(where: { $0.source.map { biasFusedMatMuls.contains($0) } ?? false }) {
                outputs = true
            }
        default:
            break
        }
        return (inputs, outputs)
    }
}

/// `.openvino` mode: what the graph looks like to OpenVINO's precision enforcement, per plan step.
/// The rounding plan depends on which tensors a run observes and is built (and cached) per set.
struct BF16Graph {
    /// Ops that stop the tail walk and always run in bf16 (intel_cpu graph.cpp's list, as IR types),
    /// plus the bias Add of a MatMul with a constant input (fused into the FullyConnected first).
    let significant: [Bool]
    /// Elementwise ops the CPU graph optimizer can fuse as post-ops, by step.
    let eltwise: [Bool]
    /// For each step and input: the producing step (nil: Parameter or constant) and whether the
    /// input is known at compile time.
    let producers: [[(step: Int?, constant: Bool)]]
    /// For each step: its (first) output slot's consumer count in the graph (Results included)
    /// and, when that is one, the consuming step.
    let consumerCount: [Int]
    let soleConsumer: [Int?]
    let outputSlot: [Int]
    let resultSlots: Set<Int>
    let types: [String]
    let stepOfSlot: [Int: Int]

    /// Reads the plan's steps; `constants`: slots known at compile time.
    init(steps: [Step], constants: Set<Int>, resultSlots: [Int]) {
        var stepOfSlot: [Int: Int] = [:]
        for (i, st) in steps.enumerated() { for s in st.outputSlots { stepOfSlot[s] = i } }
        var uses: [Int: [Int]] = [:]
        for (i, st) in steps.enumerated() { for s in st.inputSlots { uses[s, default: []].append(i) } }
        types = steps.map(\.node.type)
        producers = steps.map { st in st.inputSlots.map { (step: stepOfSlot[$0], constant: constants.contains($0)) } }
        outputSlot = steps.map { $0.outputSlots.first ?? -1 }
        self.resultSlots = Set(resultSlots)
        consumerCount = outputSlot.map { s in (uses[s]?.count ?? 0) + resultSlots.filter { $0 == s }.count }
        soleConsumer = outputSlot.map { s in uses[s]?.count == 1 && !resultSlots.contains(s) ? uses[s]![0] : nil }
        eltwise = types.map { Self.eltwiseTypes.contains($0) }
        var significant = types.map { Self.significantTypes.contains($0) }
        // MatMul with a constant input + bias Add with a constant operand: one FullyConnected.
        for (i, t) in types.enumerated() where t == "MatMul" && producers[i].contains(where: \.constant) {
            if let c = soleConsumer[i], types[c] == "Add", producers[c].allSatisfy({ $0.step == i || $0.constant }) {
                significant[c] = true
            }
        }
        self.significant = significant
        self.stepOfSlot = stepOfSlot
    }

    static let significantTypes: Set<String> = ["Convolution", "GroupConvolution", "MatMul", "Interpolate",
                                                "ROIPooling", "RNNCell", "RNNSequence", "GRUCell", "GRUSequence",
                                                "LSTMCell", "LSTMSequence"]
    static let eltwiseTypes: Set<String> = ["Add", "Subtract", "Multiply", "Divide", "PRelu", "PReLU", "Relu",
                                            "ReLU", "Clamp", "Sigmoid", "Tanh", "Elu", "Swish", "HSwish",
                                            "HSigmoid", "Mish", "Gelu", "Exp", "Sqrt", "Maximum", "Minimum",
                                            "SoftPlus", "Abs", "Negative", "Round", "Floor", "Power", "SquaredDifference"]

    /// The rounding of every step when the tensors in `observed` are outputs too (through an added
    /// Reduce op, or themselves when also in `modelOutputs`).
    func plan(observed: Set<Int>, modelOutputs: Set<Int> = []) -> [BF16StepRounding] {
        let n = types.count
        let stepOfSlot = self.stepOfSlot
        // Tail: walk back from every output through non-significant steps.
        var tail = [Bool](repeating: false, count: n)
        var stack = observed.union(resultSlots).union(modelOutputs).compactMap { stepOfSlot[$0] }
        while let i = stack.popLast() {
            if significant[i] || tail[i] { continue }
            tail[i] = true
            for p in producers[i] { if let ps = p.step { stack.append(ps) } }
        }
        // Edge i → soleConsumer[i] is fused when the CPU graph would make the consumer a post-op.
        // A chain starts at a significant op or an elementwise op (its head) and takes in the next
        // elementwise op while the tensor between them has no other reader: constant-operand ops
        // (bias, scale, PRelu slope, activations) and, after a convolution, one residual Add (sum).
        var fusedOut = [Bool](repeating: false, count: n)
        var head = Array(0..<n), hasSum = [Bool](repeating: false, count: n)
        for i in 0..<n {
            guard consumerCount[i] == 1, let c = soleConsumer[i], !observed.contains(outputSlot[i]) else { continue }
            let h = head[i]
            guard significant[h] || eltwise[h], eltwise[c] else { continue }
            var ok = producers[c].allSatisfy { $0.step == i || $0.constant }
            if !ok && types[c] == "Add" && ["Convolution", "GroupConvolution"].contains(types[h]) && !hasSum[h] {
                ok = true
                hasSum[h] = true
            }
            if ok {
                fusedOut[i] = true
                head[c] = h
            }
        }
        var plan = [BF16StepRounding](repeating: BF16StepRounding(), count: n)
        for i in 0..<n where !tail[i] {
            for (k, p) in producers[i].enumerated() where !p.constant {
                if let ps = p.step, fusedOut[ps] { continue }
                plan[i].inputs.append(k)
            }
            // A Result's producer writes the Result's f32 (graph.cpp sets it after enforcing).
            plan[i].outputs = !fusedOut[i] && !resultSlots.contains(outputSlot[i]) && !modelOutputs.contains(outputSlot[i])
        }
        return plan
    }
}
