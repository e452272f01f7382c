import Testing
import OVInterpreter
import _TestSupport

/// The developer-only bf16 emulation (`BF16Emulation.swift`): round-to-nearest-even on known bit
/// patterns, and where a compiled model rounds in each mode.
@Suite("BF16Emulation")
struct BF16EmulationTests {
    private func r(_ bits: UInt32) -> UInt32 { BF16Rounding.round(Float(bitPattern: bits)).bitPattern }

    @Test func roundsToNearestEvenOnKnownBitPatterns() {
        #expect(r(0x3F80_0000) == 0x3F80_0000)   // 1.0 is exact
        #expect(r(0x3F80_7FFF) == 0x3F80_0000)   // below half an ulp: down
        #expect(r(0x3F80_8000) == 0x3F80_0000)   // tie, kept bits even: down
        #expect(r(0x3F81_8000) == 0x3F82_0000)   // tie, kept bits odd: up to even
        #expect(r(0x3F80_8001) == 0x3F81_0000)   // above half: up
        #expect(r(0xBF80_8001) == 0xBF81_0000)   // sign-magnitude: same for negatives
        #expect(r(0xBF81_8000) == 0xBF82_0000)
        #expect(r(0x3FFF_8000) == 0x4000_0000)   // carry into the exponent
        #expect(r(0x7F7F_7FFF) == 0x7F7F_0000)   // largest finite bf16 stays
        #expect(r(0x7F7F_FFFF) == 0x7F80_0000)   // largest finite f32 overflows to +inf
        #expect(r(0x7F80_0000) == 0x7F80_0000)   // +inf
        #expect(r(0xFF80_0000) == 0xFF80_0000)   // -inf
        #expect(r(0x8000_0000) == 0x8000_0000)   // -0
        #expect(r(0x0000_8000) == 0x0000_0000)   // subnormal tie: down to even (zero)
        #expect(r(0x0001_8000) == 0x0002_0000)   // subnormal tie: up to even
        #expect(r(0x7F80_0001) == 0x7FC0_0000)   // signalling NaN: stays NaN (plain rounding would give inf)
        #expect(r(0xFFC1_2345) == 0xFFC1_0000)   // quiet NaN keeps sign and top payload
    }

    @Test func agreesWithOVIRBFloat16Conversion() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let x = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &g))
            let a = BF16Rounding.round(x), b = BFloat16(x).floatValue
            #expect(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN), "\(x.bitPattern)")
        }
    }

    // a = 1 + 3/512 rounds up to 1 + 1/128; w = 1 + 3/256 is a tie with an odd last kept bit and
    // rounds up to 1 + 1/64. Products and sums below are exact in f32.
    private let a = Float(bitPattern: 0x3F80_C000), w = Float(bitPattern: 0x3F81_8000)
    private let ra: Float = 1 + 1.0 / 128, rw: Float = 1 + 1.0 / 64

    private func run(_ b: GraphBuilder, _ inputs: [Tensor], _ mode: BF16Emulation, reference: Bool = false) throws -> [Float] {
        let options = CompileOptions(referenceKernelsOnly: reference, bf16Emulation: mode)
        return try CompiledModel(graph: b.graph, options: options).infer(inputs)[0].floatValues()
    }

    @Test func defaultIsOff() { #expect(CompileOptions().bf16Emulation == .off) }

    @Test(arguments: [false, true])
    func convolutionRoundsDataAndWeightsNotItsOutput(reference: Bool) throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 1, 1, 2])
        let y = b.op("Convolution", [x, b.constant([w], shape: [1, 1, 1, 1])],
                     ["strides": "1,1", "dilations": "1,1", "pads_begin": "0,0", "pads_end": "0,0", "auto_pad": "explicit"])
        let z = b.op("Add", [y, b.constant([1.0 / 4096], shape: [1, 1, 1, 1])])
        b.result(z)
        let input = Tensor(shape: [1, 1, 1, 2], scalars: [a, 3])
        let f32: [Float] = [a * w + 1.0 / 4096, 3 * w + 1.0 / 4096]
        #expect(try run(b, [input], .off, reference: reference) == f32)
        // The bias Add stays f32 (fused into the convolution in OpenVINO's graph tail).
        let rounded: [Float] = [ra * rw + 1.0 / 4096, 3 * rw + 1.0 / 4096]
        #expect(try run(b, [input], .potStatistics, reference: reference) == rounded)
        // every-tensor also rounds the convolution's and the Add's outputs.
        let bias: Float = 1.0 / 4096
        let y0: Float = BF16Rounding.round(ra * rw), y1: Float = BF16Rounding.round(3 * rw)
        let expected: [Float] = [BF16Rounding.round(y0 + bias), BF16Rounding.round(y1 + bias)]
        #expect(try run(b, [input], .everyTensor, reference: reference) == expected)
    }

    @Test func fullyConnectedWithBiasRoundsTheBiasOutput() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 2])
        let m = b.op("MatMul", [x, b.constant([w, 1], shape: [2, 1])], version: "opset1")
        b.result(b.op("Add", [m, b.constant([1.0 / 4096], shape: [1])]))
        let input = Tensor(shape: [1, 2], scalars: [a, 1])
        // f32: (515/512)(259/256) + 1 + 1/4096 = 264489/131072, exact.
        #expect(try run(b, [input], .off) == [Float(264489) / 131072])
        // bf16: (129/128)(65/64) + 1 + 1/4096 = 16579/8192 ≈ 2.02380 → nearest bf16 (step 1/64) 2.03125.
        #expect(try run(b, [input], .potStatistics) == [2.03125])
    }

    @Test func openvinoModeFollowsTheObservedTensors() throws {
        // x → Add(x, -3/1024) → 1x1 Convolution (weight 1) → Result. x = 1 + 6/1024.
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 1, 1, 1])
        let s = b.node("Add", [x, b.constant([-3.0 / 1024], shape: [1, 1, 1, 1])], name: "shift")
        b.result(b.op("Convolution", [s.output(0), b.constant([1], shape: [1, 1, 1, 1])],
                      ["strides": "1,1", "dilations": "1,1", "pads_begin": "0,0", "pads_end": "0,0", "auto_pad": "explicit"]))
        let model = try CompiledModel(graph: b.graph, options: CompileOptions(bf16Emulation: .openvino))
        let input = Tensor(shape: [1, 1, 1, 1], scalars: [a])
        // Unobserved, the Add runs in bf16: round(round(x) - 3/1024) = round(1 + 5/1024) = 1 + 8/1024.
        #expect(try model.infer([input])[0].floatValues() == [ra])
        // Observed (POT hangs a Result on it), the Add is in the f32 graph tail and only the
        // convolution's input is rounded: round(1 + 3/1024) = 1. The observer sees the f32 value.
        var seen: [Float] = []
        let out = try model.infer([input], observing: [model.observable(node: "shift")!]) { _, t in seen = t.floatValues() }
        #expect(out[0].floatValues() == [1])
        #expect(seen == [1 + 3.0 / 1024])
        // Unobserved again: the plan for the first set still applies.
        #expect(try model.infer([input])[0].floatValues() == [ra])
    }

    @Test func openvinoModeLetsAnObservedModelOutputStayF32() throws {
        // x → Convolution "c1" → Convolution → Result; c1's output is observed.
        let attrs = ["strides": "1,1", "dilations": "1,1", "pads_begin": "0,0", "pads_end": "0,0", "auto_pad": "explicit"]
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 1, 1, 1])
        let c1 = b.node("Convolution", [x, b.constant([w], shape: [1, 1, 1, 1])], attributes: attrs, name: "c1")
        b.result(b.op("Convolution", [c1.output(0), b.constant([1], shape: [1, 1, 1, 1])], attrs))
        let model = try CompiledModel(graph: b.graph, options: CompileOptions(bf16Emulation: .openvino))
        let input = Tensor(shape: [1, 1, 1, 1], scalars: [a]), point = model.observable(node: "c1")!
        var seen: [Float] = []
        // Through a Reduce op (POT's in-place min/max): c1 writes bf16, 8385/8192 → 131/128.
        _ = try model.infer([input], observing: [point]) { _, t in seen = t.floatValues() }
        #expect(seen == [131.0 / 128])
        // As a model output itself: c1 writes f32 (ra·rw = 8385/8192 is exact in f32).
        _ = try model.infer([input], observing: [point], bf16ModelOutputs: [point]) { _, t in seen = t.floatValues() }
        #expect(seen == [8385.0 / 8192])
    }

    @Test func openvinoModeKeepsAResultProducerF32() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 2])
        let m = b.op("MatMul", [x, b.constant([w, 1], shape: [2, 1])], version: "opset1")
        b.result(b.op("Add", [m, b.constant([1.0 / 4096], shape: [1])]))
        // FullyConnected with bias, inputs and weights rounded; its output is the model's f32 output.
        #expect(try run(b, [Tensor(shape: [1, 2], scalars: [a, 1])], .openvino) == [Float(16579) / 8192])
    }

    @Test func elementwiseOpsStayF32InPOTStatisticsMode() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [2])
        b.result(b.op("Add", [x, x]))
        let input = Tensor(shape: [2], scalars: [a, w])
        #expect(try run(b, [input], .potStatistics) == [2 * a, 2 * w])
        #expect(try run(b, [input], .everyTensor) == [2 * ra, 2 * rw])
    }
}
