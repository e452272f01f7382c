import Foundation
import Testing
@testable import OVInterpreter
import _TestSupport

/// BatchNorm left as `Multiply(scale) → Add(shift)` with per-channel constants after a convolution
/// (as ONNX converters leave it: YOLO's conv → BN → Swish, EfficientNet's conv → BN → Swish / HSwish
/// and conv → BN → Add(x)) fused into the convolution's epilogue: bit-identical to the same model
/// run unfused, close to the reference kernels, observers of absorbed tensors force the unfused
/// path, and multiplications that are not per-channel constants are not absorbed.
@Suite("Fast kernels: BatchNorm (Multiply + Add) epilogue fusion")
struct BatchNormFusionTests {
    let random = FastKernelTests.random

    enum Act: String, CustomStringConvertible, Sendable, CaseIterable {
        case none, swish, swishBeta, hSwish, sigmoid, relu, prelu, clamp
        var description: String { rawValue }
        var label: String? {
            switch self {
            case .none: nil
            case .swish, .swishBeta: "Swish"
            case .hSwish: "HSwish"
            case .sigmoid: "Sigmoid"
            case .relu: "Relu"
            case .prelu: "PReLU"
            case .clamp: "Clamp"
            }
        }
    }

    /// The chain's form: with or without a bias Add before the Multiply, with or without the
    /// shift Add, with a residual Add, and the constants as `[1, C, 1, 1]` or `[C, 1, 1]`, first or
    /// second input.
    struct Form: CustomTestStringConvertible, Sendable {
        var bias = false, shift = true, residual = false, constantsFirst = false, rank3Constants = false
        var testDescription: String {
            [bias ? "bias" : nil, "Multiply", shift ? "Add" : nil, residual ? "residual" : nil,
             constantsFirst ? "constants first" : nil, rank3Constants ? "[C,1,1]" : nil].compactMap { $0 }.joined(separator: " ")
        }
    }

    /// `x → pre (Relu) → conv → [Add(bias)] → Multiply(scale) → [Add(shift)] → [Add(x)] → act → Multiply(2)`.
    static func block(x: [Int], w: Tensor, grouped: Bool, attrs: [String: String], out: [Int], act: Act, form: Form,
                      random: (([Int], UInt64, Float) -> Tensor)) -> Graph {
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, x)
        let pre = g.op("Relu", [p], [:], version: "opset1", name: "pre")
        let c = out[1]
        let cshape = form.rank3Constants ? [c, 1, 1] : [1, c, 1, 1]
        func binary(_ type: String, _ a: OutputRef, _ t: Tensor, _ name: String) -> OutputRef {
            let k = g.constant(t)
            return g.op(type, form.constantsFirst ? [k, a] : [a, k], ["auto_broadcast": "numpy"], version: "opset1", name: name)
        }
        var h = g.op(grouped ? "GroupConvolution" : "Convolution", [pre, g.constant(w)], attrs, version: "opset1", name: "conv")
        if form.bias { h = binary("Add", h, random(cshape, 80, 1), "bias") }
        // BatchNorm's scale: around 1, some channels negative.
        let scale = Tensor(shape: cshape, scalars: random(cshape, 81, 1).floatValues().enumerated().map { $1 + ($0 % 5 == 3 ? -1.5 : 1) })
        h = binary("Multiply", h, scale, "bnScale")
        if form.shift { h = binary("Add", h, random(cshape, 82, 0.5), "bnShift") }
        if form.residual {
            let r = x == out ? pre : g.parameter("r", .f32, out)
            h = g.op("Add", [h, r], ["auto_broadcast": "numpy"], version: "opset1", name: "residual")
        }
        switch act {
        case .none: break
        case .swish: h = g.op("Swish", [h], [:], version: "opset4", name: "act")
        case .swishBeta:
            h = g.op("Swish", [h, g.constant(Tensor(shape: [], scalars: [Float(1.5)]))], [:], version: "opset4", name: "act")
        case .hSwish: h = g.op("HSwish", [h], [:], version: "opset4", name: "act")
        case .sigmoid: h = g.op("Sigmoid", [h], [:], version: "opset1", name: "act")
        case .relu: h = g.op("Relu", [h], [:], version: "opset1", name: "act")
        case .prelu: h = g.op("PReLU", [h, g.constant(random([c], 83, 0.5))], [:], version: "opset1", name: "act")
        case .clamp: h = g.op("Clamp", [h], ["min": "-0.5", "max": "1.25"], version: "opset1", name: "act")
        }
        // A reader after the block that is never absorbed (times 2: exact).
        g.result(g.op("Multiply", [h, g.constant(Tensor(shape: [1], scalars: [Float(2)]))], ["auto_broadcast": "numpy"],
                      version: "opset1", name: "post"))
        return g.graph
    }

    /// The kernels with epilogues: depthwise, SmallGemm (1x1), the packed GEMM (3x3 with K > 160,
    /// a 7 x 7 plane, deep 1x1), im2col + OpenBLAS (fewer than 16 output pixels).
    static let cases: [ResidualFusionTests.Case] = ResidualFusionTests.cases + [
        ([1, 40, 7, 7], [36, 40, 3, 3], false, FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"), [1, 36, 7, 7]),
        ([1, 48, 3, 5], [16, 48, 3, 3], false, FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"), [1, 16, 3, 5]),
    ]

    @Test(arguments: cases, Act.allCases)
    func fusedChainIsBitIdenticalToUnfused(_ k: ResidualFusionTests.Case, _ act: Act) throws {
        let wt = random(k.w, 84, 1 / Float(k.w.dropFirst().reduce(1, *)).squareRoot())
        let forms = [Form(), Form(bias: true, constantsFirst: true), Form(shift: false, rank3Constants: true),
                     Form(residual: true), Form(bias: true, residual: true, constantsFirst: true, rank3Constants: true)]
        for form in forms {
            let graph = Self.block(x: k.x, w: wt, grouped: k.grouped, attrs: k.attrs, out: k.out, act: act, form: form,
                                   random: { random($0, $1, $2) })
            var inputs = [random(k.x, 85, 1)]
            if form.residual && k.x != k.out { inputs.append(random(k.out, 86, 1)) }
            let reference = try CompiledModel(graph: graph, options: CompileOptions(referenceKernelsOnly: true)).infer(inputs)[0]
            let unfused = try CompiledModel(graph: graph, options: ResidualFusionTests.unfused)
            #expect(unfused.fusedConvolutions.isEmpty)
            let expected = try unfused.infer(inputs)[0]
            FastFusionTests.expectSame(reference.floatValues(), expected.floatValues(), "\(form.testDescription): unfused vs reference")
            let label = (form.bias ? ["Add"] : []) + ["Multiply"] + (form.shift ? ["Add"] : []) + (form.residual ? ["Add"] : [])
                + (act.label.map { [$0] } ?? [])
            for threads in [1, 3] {
                let fast = try CompiledModel(graph: graph, options: CompileOptions(threads: threads))
                #expect(fast.fusedConvolutions["conv"] == label.joined(separator: "+"), "\(form.testDescription)")
                for run in 0..<2 {
                    let got = try fast.infer(inputs)[0]
                    let differ = zip(ResidualFusionTests.bits(got), ResidualFusionTests.bits(expected)).filter { $0 != $1 }.count
                    #expect(differ == 0, "\(form.testDescription) threads \(threads) run \(run): \(differ) of \(got.count) values differ from the unfused run")
                }
            }
        }
    }

    /// POT collects statistics on every node: watching the convolution, the Multiply or the shift
    /// Add runs the chain unfused, and every observer sees the unfused run's values.
    @Test func observersOfAbsorbedTensorsRunUnfused() throws {
        let wt = random([12, 40, 3, 3], 87, 0.05)
        let graph = Self.block(x: [1, 40, 9, 11], w: wt, grouped: false, attrs: FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"),
                               out: [1, 12, 9, 11], act: .swish, form: Form(), random: { random($0, $1, $2) })
        let input = random([1, 40, 9, 11], 88, 1)
        let unfused = try CompiledModel(graph: graph, options: ResidualFusionTests.unfused)
        let fast = try CompiledModel(graph: graph)
        #expect(fast.fusedConvolutions["conv"] == "Multiply+Add+Swish")
        try expectObservedRunsMatch(unfused: unfused, fast: fast, input: input,
                                    watching: [["conv"], ["bnScale"], ["bnShift"], ["act"], ["conv", "bnScale", "bnShift", "act"]])
    }

    /// BatchNormInference (DenseNet's pre-activation `BN → ReLU`, opset1 and opset5 input orders)
    /// absorbs the activation after it, a per-channel Add and a residual Add: bit-identical to the
    /// unfused run, close to the reference; a BatchNorm with nothing after it stays a plain step, and
    /// observing the BatchNorm's output runs it unfused.
    @Test(arguments: ["ReLU", "Relu", "Clamp", "PReLU", "Add+ReLU", "residual+ReLU", "none"])
    func batchNormInferenceAbsorbsItsActivation(_ chain: String) throws {
        for version in ["opset1", "opset5"] {
            let g = GraphBuilder()
            let shape = [2, 12, 7, 9]
            let p = g.parameter("x", .f32, shape)
            let c = shape[1]
            let gamma = g.constant(random([c], 94, 1)), beta = g.constant(random([c], 95, 1)), mean = g.constant(random([c], 96, 1))
            let variance = g.constant(Tensor(shape: [c], scalars: random([c], 97, 1).floatValues().map { abs($0) + 0.25 }))
            let ins = version == "opset1" ? [gamma, beta, p, mean, variance] : [p, gamma, beta, mean, variance]
            var h = g.op("BatchNormInference", ins, ["epsilon": "0.001"], version: version, name: "bn")
            var label: [String] = []
            switch chain {
            case "ReLU", "Relu":
                h = g.op(chain, [h], [:], version: "opset1", name: "act"); label = [chain]
            case "Clamp":
                h = g.op("Clamp", [h], ["min": "-0.5", "max": "1.25"], version: "opset1", name: "act"); label = ["Clamp"]
            case "PReLU":
                h = g.op("PReLU", [h, g.constant(random([c], 98, 0.5))], [:], version: "opset1", name: "act"); label = ["PReLU"]
            case "Add+ReLU":
                h = g.op("Add", [h, g.constant(random([1, c, 1, 1], 99, 1))], ["auto_broadcast": "numpy"], version: "opset1", name: "bias")
                h = g.op("ReLU", [h], [:], version: "opset1", name: "act"); label = ["Add", "ReLU"]
            case "residual+ReLU":
                h = g.op("Add", [h, p], ["auto_broadcast": "numpy"], version: "opset1", name: "residual")
                h = g.op("ReLU", [h], [:], version: "opset1", name: "act"); label = ["Add", "ReLU"]
            default: break
            }
            g.result(g.op("Multiply", [h, g.constant(Tensor(shape: [1], scalars: [Float(2)]))], ["auto_broadcast": "numpy"],
                          version: "opset1", name: "post"))
            let input = random(shape, 100, 2)
            let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer([input])[0]
            let unfused = try CompiledModel(graph: g.graph, options: ResidualFusionTests.unfused)
            let expected = try unfused.infer([input])[0]
            FastFusionTests.expectSame(reference.floatValues(), expected.floatValues(), "\(chain) \(version): unfused vs reference")
            for threads in [1, 3] {
                let fast = try CompiledModel(graph: g.graph, options: CompileOptions(threads: threads))
                #expect(fast.kernelNamesByNode["bn"] == "simd.batchnorm")
                #expect(fast.fusedConvolutions["bn"] == (label.isEmpty ? nil : label.joined(separator: "+")), "\(chain) \(version)")
                let got = try fast.infer([input])[0]
                let differ = zip(ResidualFusionTests.bits(got), ResidualFusionTests.bits(expected)).filter { $0 != $1 }.count
                #expect(differ == 0, "\(chain) \(version) threads \(threads): \(differ) of \(got.count) values differ from the unfused run")
            }
            if !label.isEmpty {
                try expectObservedRunsMatch(unfused: unfused, fast: try CompiledModel(graph: g.graph), input: input,
                                            watching: [["bn"], ["act"], ["bn", "act"]])
            }
        }
    }

    /// Multiplications that are not BatchNorm's per-channel scale stay separate steps.
    @Test func multipliesThatAreNotPerChannelConstantsAreNotAbsorbed() throws {
        let attrs = FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1")
        let wt = random([4, 4, 1, 1], 89, 0.5)
        func build(_ scale: (GraphBuilder) -> OutputRef, withBias: Bool) -> Graph {
            let g = GraphBuilder()
            let p = g.parameter("x", .f32, [1, 4, 5, 6])
            var h = g.op("Convolution", [p, g.constant(wt)], attrs, version: "opset1", name: "conv")
            if withBias {
                h = g.op("Add", [h, g.constant(random([1, 4, 1, 1], 90, 1))], ["auto_broadcast": "numpy"], version: "opset1", name: "bias")
            }
            h = g.op("Multiply", [h, scale(g)], ["auto_broadcast": "numpy"], version: "opset1", name: "mul")
            g.result(g.op("Swish", [h], [:], version: "opset4", name: "act"))
            return g.graph
        }
        let perPixel: (GraphBuilder) -> OutputRef = { g in g.constant(random([1, 4, 5, 6], 91, 1)) }
        let perWidth: (GraphBuilder) -> OutputRef = { g in g.constant(random([6], 92, 1)) }
        let computed: (GraphBuilder) -> OutputRef = { g in g.parameter("s", .f32, [1, 4, 1, 1]) }
        let perChannel: (GraphBuilder) -> OutputRef = { g in g.constant(random([1, 4, 1, 1], 93, 1)) }
        for (scale, name) in [(perPixel, "per pixel"), (perWidth, "[W]"), (computed, "a Parameter")] {
            #expect(try CompiledModel(graph: build(scale, withBias: false)).fusedConvolutions["conv"] == nil, "\(name)")
            #expect(try CompiledModel(graph: build(scale, withBias: true)).fusedConvolutions["conv"] == "Add", "\(name)")
        }
        #expect(try CompiledModel(graph: build(perChannel, withBias: false)).fusedConvolutions["conv"] == "Multiply+Swish")
        #expect(try CompiledModel(graph: build(perChannel, withBias: true)).fusedConvolutions["conv"] == "Add+Multiply+Swish")
    }
}
