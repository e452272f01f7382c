import Testing
import OVInterpreter
import _TestSupport

/// Differential tests: every fast kernel against its reference kernel on odd, broadcast and
/// non-divisible shapes, with 1 and 3 threads. Each case also checks that the fast kernel claimed
/// the node (so a silently declined claim cannot pass as a match).
@Suite("Fast kernels")
struct FastKernelTests {
    /// Seeded values in [-2, 2) (a small LCG: deterministic and independent of the platform).
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var s = seed &* 6364136223846793005 &+ 1442695040888963407
        let values: [Float] = (0..<shape.reduce(1, *)).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return (Float((s >> 40) & 0xFFFF) / 16384 - 2) * scale
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Builds a graph with `build` (the node under test must be named "target"), runs it with reference
    /// kernels and with fast kernels (1 and 3 threads), and compares.
    static func differential(kernel: String, inputs: [Tensor], rtol: Float = 1e-4, atol: Float = 1e-5,
                             sourceLocation: SourceLocation = #_sourceLocation,
                             _ build: (GraphBuilder, [OutputRef]) -> OutputRef) throws {
        let g = GraphBuilder()
        let params = inputs.enumerated().map { g.parameter("in\($0.offset)", $0.element.elementType, $0.element.shape) }
        g.result(build(g, params))
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer(inputs)
        for threads in [1, 3] {
            let fast = try CompiledModel(graph: g.graph, options: CompileOptions(threads: threads))
            #expect(fast.kernelNamesByNode["target"] == kernel, "claimed by \(fast.kernelNamesByNode["target"] ?? "nothing")",
                    sourceLocation: sourceLocation)
            let got = try fast.infer(inputs)
            for (r, f) in zip(reference, got) {
                #expect(r.shape == f.shape, sourceLocation: sourceLocation)
                let rv = r.floatValues(), fv = f.floatValues()
                var bad = 0, worst: (Float, Float) = (0, 0)
                for (e, v) in zip(rv, fv) where !(e.isNaN && v.isNaN) && v != e && !(abs(v - e) <= atol + rtol * abs(e)) {
                    bad += 1
                    worst = (v, e)
                }
                #expect(bad == 0, "\(bad) of \(rv.count) elements differ (threads \(threads)), e.g. \(worst.0) vs \(worst.1)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: - MatMul

    @Test(arguments: [
        ([7, 5], [5, 9], false, false),
        ([5, 7], [5, 9], true, false),
        ([7, 5], [9, 5], false, true),
        ([5, 7], [9, 5], true, true),
        ([2, 3, 7, 5], [5, 9], false, false),      // batch rows folded into one GEMM
        ([2, 3, 7, 5], [9, 5], false, true),
        ([2, 1, 7, 5], [4, 5, 3], false, false),   // broadcast batches
        ([3, 5, 7], [1, 9, 5], true, true),
        ([5], [5, 9], false, false),               // 1-D operands
        ([7, 5], [5], false, false),
        ([4, 7, 5], [5], false, false),
        ([5], [5], false, false),
        ([33, 65], [65, 17], false, false),
        ([64, 256], [256, 300], false, false),    // split across threads
        ([2000, 300], [300], false, false),       // matrix-vector, split across threads
        ([23, 300], [1, 300], false, true),       // one output column with B transposed
        ([1, 640], [1000, 640], false, true),     // one output row (classifier head): dot products over B's rows
        ([1, 37], [37, 61], false, false),        // one output row, B [k, n]: rows of B accumulated
        ([37, 1], [37, 61], true, false),         // A transposed with one column: contiguous
        ([3, 1, 19], [3, 19, 13], false, false),  // batched single rows
        ([2, 1, 33], [1, 70, 33], false, true),
        ([1, 300], [300, 2000], false, false),    // one output row split across threads
    ])
    func matmul(_ a: [Int], _ b: [Int], _ ta: Bool, _ tb: Bool) throws {
        try Self.differential(kernel: "blas.sgemm", inputs: [Self.random(a, seed: 1), Self.random(b, seed: 2)]) { g, p in
            g.op("MatMul", p, ["transpose_a": "\(ta)", "transpose_b": "\(tb)"], version: "opset1", name: "target")
        }
    }

    @Test func matmulConstantWeights() throws {
        let w = Self.random([31, 19], seed: 3)
        try Self.differential(kernel: "blas.sgemm", inputs: [Self.random([1, 13, 31], seed: 4)]) { g, p in
            g.op("MatMul", [p[0], g.constant(w)], ["transpose_a": "false", "transpose_b": "false"], version: "opset1", name: "target")
        }
    }

    /// MaxPool-8 whose index output no step reads (a Multiply reads the maxima) runs the `kernel`
    /// variant that computes only the maxima: bit-identical to the reference kernel, and a run
    /// observing the index output gets the reference's indices from the full kernel.
    static func expectUnreadIndicesSkipped(_ x: Tensor, kernel: String, strides: String, pads: String, dilations: String,
                                           kernelName: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let g = GraphBuilder()
        let n = g.node("MaxPool", [g.parameter("x", .f32, x.shape)],
                       attributes: ["kernel": kernel, "strides": strides, "dilations": dilations, "pads_begin": pads, "pads_end": pads,
                                    "rounding_type": "floor", "auto_pad": "explicit", "index_element_type": "i64", "axis": "0"],
                       version: "opset8", outputs: 2, name: "target")
        g.result(g.op("Multiply", [n.output(0), g.constant(Tensor(shape: [1], scalars: [Float(2)]))], ["auto_broadcast": "numpy"],
                      version: "opset1", name: "post"))
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true))
        let indices = try #require(reference.observable(node: "target", output: 1), sourceLocation: sourceLocation)
        var expectedIndices: [Int64] = []
        let expected = try reference.infer([x], observing: [indices]) { _, t in expectedIndices = try t.scalars(as: Int64.self) }[0]
        let expectedBits = expected.floatValues().map(\.bitPattern)
        for threads in [1, 3] {
            let fast = try CompiledModel(graph: g.graph, options: CompileOptions(threads: threads))
            #expect(fast.kernelNamesByNode["target"] == kernelName, sourceLocation: sourceLocation)
            #expect(try fast.infer([x])[0].floatValues().map(\.bitPattern) == expectedBits, sourceLocation: sourceLocation)
            var observed: [Int64] = []
            let observable = try #require(fast.observable(node: "target", output: 1), sourceLocation: sourceLocation)
            let again = try fast.infer([x], observing: [observable]) { _, t in observed = try t.scalars(as: Int64.self) }[0]
            #expect(observed == expectedIndices && !observed.isEmpty, sourceLocation: sourceLocation)
            #expect(again.floatValues().map(\.bitPattern) == expectedBits, sourceLocation: sourceLocation)
        }
    }

    // MARK: - Convolution

    static func convAttrs(_ strides: String, _ pads: String, _ padsEnd: String? = nil, dil: String, auto: String = "explicit") -> [String: String] {
        ["strides": strides, "dilations": dil, "pads_begin": pads, "pads_end": padsEnd ?? pads, "auto_pad": auto]
    }

    @Test(arguments: [
        ([1, 5, 9, 11], [7, 5, 1, 1], convAttrs("1,1", "0,0", dil: "1,1")),        // 1x1: direct GEMM
        ([2, 3, 9, 11], [4, 3, 3, 3], convAttrs("1,1", "1,1", dil: "1,1")),
        ([1, 3, 10, 13], [5, 3, 3, 3], convAttrs("2,2", "1,1", "0,0", dil: "1,1")), // asymmetric pads, stride 2
        ([1, 2, 11, 12], [3, 2, 3, 2], convAttrs("1,2", "2,1", dil: "2,1")),     // dilation, non-square
        ([1, 4, 7, 9], [6, 4, 1, 1], convAttrs("2,2", "0,0", dil: "1,1")),        // strided 1x1 via im2col
        ([1, 3, 9, 9], [4, 3, 4, 4], convAttrs("3,3", "0,0", dil: "1,1", auto: "same_upper")),
        ([1, 3, 8, 8], [4, 3, 5, 5], convAttrs("1,1", "0,0", dil: "1,1", auto: "valid")),
        ([1, 3, 17], [5, 3, 3], convAttrs("2", "1", dil: "1")),                    // 1-D
        ([1, 64, 30, 30], [24, 64, 3, 3], convAttrs("1,1", "1,1", dil: "1,1")),   // 3 im2col tiles, the last short
        ([1, 32, 3, 3], [70, 32, 3, 3], convAttrs("1,1", "0,0", dil: "1,1")),     // one output pixel: SIMD dot products
        ([1, 37, 1, 1], [9, 37, 1, 1], convAttrs("1,1", "0,0", dil: "1,1")),      // 1x1 on one pixel, k not a multiple of 8
        // SmallGemm (inner dimension ≤ 160): 24- and 8-column panels, the overlapping last panel,
        // rows not a multiple of 4, a thread chunk of 4 columns (3 threads: 24 + 24 + 4), an im2col
        // tile remainder of 3 columns (576 + 3), and the largest inner dimension it takes (with fewer
        // than 32 output channels: more go to PackedConvGemm from K = 32 up).
        ([1, 16, 20, 21], [13, 16, 1, 1], convAttrs("1,1", "0,0", dil: "1,1")),
        ([1, 160, 4, 13], [31, 160, 1, 1], convAttrs("1,1", "0,0", dil: "1,1")),
        ([1, 3, 3, 193], [5, 3, 3, 3], convAttrs("1,1", "1,1", dil: "1,1")),
        ([1, 3, 192, 192], [16, 3, 3, 3], convAttrs("2,2", "0,0", "1,1", dil: "1,1")), // face_landmark's first conv
        ([1, 128, 6, 6], [128, 128, 1, 1], convAttrs("1,1", "0,0", dil: "1,1")),
        ([1, 161, 3, 5], [6, 161, 1, 1], convAttrs("1,1", "0,0", dil: "1,1")),      // k 161: OpenBLAS again
    ])
    func convolution(_ x: [Int], _ w: [Int], _ attrs: [String: String]) throws {
        // Weights scaled by 1/sqrt(fan-in), as trained weights are, so outputs stay O(1) and the
        // tolerance measures the kernel rather than cancellation in long sums.
        let wt = Self.random(w, seed: 5, scale: 1 / Float(w.dropFirst().reduce(1, *)).squareRoot())
        try Self.differential(kernel: "blas.conv", inputs: [Self.random(x, seed: 6)]) { g, p in
            g.op("Convolution", [p[0], g.constant(wt)], attrs, version: "opset1", name: "target")
        }
    }

    @Test func groupConvolutionWithSeveralChannelsPerGroup() throws {
        let wt = Self.random([3, 2, 2, 3, 3], seed: 7)
        try Self.differential(kernel: "blas.conv", inputs: [Self.random([2, 6, 9, 7], seed: 8)]) { g, p in
            g.op("GroupConvolution", [p[0], g.constant(wt)], Self.convAttrs("1,1", "1,1", dil: "1,1"), version: "opset1", name: "target")
        }
    }

    @Test func convolutionLargeEnoughToSplitAcrossThreads() throws {
        let wt = Self.random([32, 16, 3, 3], seed: 9)
        try Self.differential(kernel: "blas.conv", inputs: [Self.random([1, 16, 45, 47], seed: 10)]) { g, p in
            g.op("Convolution", [p[0], g.constant(wt)], Self.convAttrs("1,1", "1,1", dil: "1,1"), version: "opset1", name: "target")
        }
    }

    @Test func blasCoreIsReported() {
        #expect(BLASInfo.isAvailable, "\(BLASInfo.config)")
        #expect(BLASInfo.coreName != "Prescott", "OpenBLAS fell back to Prescott: \(BLASInfo.config)")
        if let preferred = BLASInfo.preferredCore, BLASInfo.coreSource == "cpuid" {
            #expect(BLASInfo.coreName.lowercased() == preferred.lowercased())
        }
    }
}
