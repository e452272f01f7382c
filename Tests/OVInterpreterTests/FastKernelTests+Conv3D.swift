import Testing
@testable import OVInterpreter
import _TestSupport

/// 3-D convolutions (the convolution GEMM kernel: packed GEMM, SmallGemm or im2col + sgemm by
/// shape) against the reference kernel.
@Suite("Fast kernels: 3-D convolution")
struct FastConv3DKernelTests {

    @Test(arguments: [
        ([1, 3, 5, 7, 9], [4, 3, 3, 3, 3], FastKernelTests.convAttrs("1,1,1", "1,1,1", dil: "1,1,1")),
        ([2, 4, 6, 9, 8], [5, 4, 3, 2, 3], FastKernelTests.convAttrs("2,1,2", "1,0,1", "0,1,1", dil: "1,1,1")),  // strides, asymmetric pads
        ([1, 2, 7, 8, 9], [3, 2, 2, 3, 2], FastKernelTests.convAttrs("1,2,1", "2,1,1", dil: "2,1,2")),           // dilations
        ([1, 6, 4, 5, 6], [7, 6, 1, 1, 1], FastKernelTests.convAttrs("1,1,1", "0,0,0", dil: "1,1,1")),           // 1x1x1
        ([1, 3, 4, 9, 9], [4, 3, 3, 3, 3], FastKernelTests.convAttrs("1,2,2", "0,0,0", dil: "1,1,1", auto: "same_upper")),
        ([1, 16, 6, 20, 20], [8, 16, 3, 3, 3], FastKernelTests.convAttrs("1,1,1", "1,1,1", dil: "1,1,1")),       // several column tiles
    ] as [([Int], [Int], [String: String])])
    func convolution3D(_ x: [Int], _ w: [Int], _ a: [String: String]) throws {
        let wt = FastKernelTests.random(w, seed: 51, scale: 1 / Float(w.dropFirst().reduce(1, *)).squareRoot())
        try FastKernelTests.differential(kernel: "blas.conv", inputs: [FastKernelTests.random(x, seed: 52)]) { g, p in
            g.op("Convolution", [p[0], g.constant(wt)], a, version: "opset1", name: "target")
        }
    }

    @Test func groupConvolution3D() throws {
        let wt = FastKernelTests.random([2, 3, 2, 3, 3, 3], seed: 53, scale: 0.2)
        try FastKernelTests.differential(kernel: "blas.conv", inputs: [FastKernelTests.random([2, 4, 5, 6, 7], seed: 54)]) { g, p in
            g.op("GroupConvolution", [p[0], g.constant(wt)], FastKernelTests.convAttrs("1,1,1", "1,1,1", dil: "1,1,1"),
                 version: "opset1", name: "target")
        }
    }
}

extension FastConv3DKernelTests {
    /// 3-D pooling, bit-exact against the reference (values rounded to quarters: windows hold ties,
    /// the first maximum must win), MaxPool-8's indices included, on a narrow and a wide input.
    @Test(arguments: [
        ("MaxPool", "opset1", ["kernel": "2,2,2", "strides": "2,2,2", "pads_begin": "0,0,0", "pads_end": "0,0,0", "rounding_type": "ceil"]),
        ("MaxPool", "opset8", ["kernel": "3,3,3", "strides": "2,1,2", "pads_begin": "1,1,1", "pads_end": "1,1,1", "rounding_type": "floor",
                               "dilations": "1,1,1", "index_element_type": "i64", "axis": "0"]),
        ("MaxPool", "opset8", ["kernel": "2,3,2", "strides": "1,2,2", "pads_begin": "0,1,0", "pads_end": "1,0,1", "rounding_type": "ceil",
                               "dilations": "1,1,1", "index_element_type": "i32", "axis": "2"]),
        ("AvgPool", "opset1", ["kernel": "3,3,3", "strides": "1,1,1", "pads_begin": "1,1,1", "pads_end": "1,1,1", "rounding_type": "floor",
                               "exclude-pad": "true"]),
        ("AvgPool", "opset1", ["kernel": "2,3,3", "strides": "2,2,2", "pads_begin": "1,1,1", "pads_end": "1,1,1", "rounding_type": "ceil",
                               "exclude-pad": "false"]),
        // C3D's pool1 (1x2x2, stride 1,2,2) and pool5 (2x2x2 stride 2, padded width and height), I3D's final AvgPool (2x7x7).
        ("MaxPool", "opset1", ["kernel": "1,2,2", "strides": "1,2,2", "pads_begin": "0,0,0", "pads_end": "0,0,0", "rounding_type": "floor"]),
        ("MaxPool", "opset8", ["kernel": "2,2,2", "strides": "2,2,2", "pads_begin": "0,1,1", "pads_end": "0,1,1", "rounding_type": "floor",
                               "dilations": "1,1,1", "index_element_type": "i64", "axis": "3"]),
        ("AvgPool", "opset1", ["kernel": "2,7,7", "strides": "1,1,1", "pads_begin": "0,0,0", "pads_end": "0,0,0", "rounding_type": "floor",
                               "exclude-pad": "true"]),
    ], [[2, 3, 5, 7, 9], [1, 2, 4, 8, 37]])
    func pooling3D(_ c: (String, String, [String: String]), _ shape: [Int]) throws {
        var attrs = c.2
        attrs["auto_pad"] = "explicit"
        // A 37-wide input gives rows of 8+ outputs with whole width windows (the SIMD step, then
        // scalar edges); the 9-wide one mostly scalar windows. Values rounded to quarters (ties),
        // with some -inf (windows whose maximum is -inf keep their first tap's index).
        let values = FastKernelTests.random(shape, seed: 55, scale: 2).floatValues().enumerated().map { i, v in
            i % 97 == 5 ? -Float.infinity : (v * 4).rounded() / 4
        }
        let x = Tensor(shape: shape, scalars: values)
        try FastKernelTests.differential(kernel: "simd.pool3d", inputs: [x], rtol: 0, atol: 0) { g, p in
            guard c.1 == "opset8" else { return g.op(c.0, p, attrs, version: c.1, name: "target") }
            let n = g.node(c.0, p, attributes: attrs, version: c.1, outputs: 2, name: "target")
            g.result(n.output(1))
            return n.output(0)
        }
    }
}

extension FastConv3DKernelTests {
    /// More 3-D convolution paths: an output of 4 pixels with a short K (im2col + OpenBLAS), c3d's
    /// stride-2 3x3x3 shape (packed GEMM over 8 stride phases), a depthwise 3-D GroupConvolution
    /// (the GEMM kernel: the depthwise kernel is 2-D only) and a 1x1x1 stride-2 one.
    @Test(arguments: [
        ([1, 3, 3, 4, 4], [4, 3, 3, 3, 3], false, FastKernelTests.convAttrs("1,1,1", "0,0,0", dil: "1,1,1")),
        ([1, 32, 6, 12, 10], [32, 32, 3, 3, 3], false, FastKernelTests.convAttrs("2,2,2", "1,1,1", dil: "1,1,1")),
        ([1, 6, 5, 7, 9], [6, 1, 1, 3, 3, 3], true, FastKernelTests.convAttrs("1,1,1", "1,1,1", dil: "1,1,1")),
        ([1, 48, 5, 7, 9], [40, 48, 1, 1, 1], false, FastKernelTests.convAttrs("2,2,2", "0,0,0", dil: "1,1,1")),
    ] as [([Int], [Int], Bool, [String: String])])
    func moreConvolution3DPaths(_ x: [Int], _ w: [Int], _ grouped: Bool, _ a: [String: String]) throws {
        let fanIn = w.dropFirst(grouped ? 2 : 1).reduce(1, *)
        let wt = FastKernelTests.random(w, seed: 56, scale: 1 / Float(fanIn).squareRoot())
        try FastKernelTests.differential(kernel: "blas.conv", inputs: [FastKernelTests.random(x, seed: 57)]) { g, p in
            g.op(grouped ? "GroupConvolution" : "Convolution", [p[0], g.constant(wt)], a, version: "opset1", name: "target")
        }
    }

    /// Epilogues of 3-D convolutions: c3d's `conv → ReLU` without a bias (opset1 ReLU as OpenVINO's
    /// IRs spell it, and as "Relu"), `conv → Add(bias) → Add(residual) → Clamp`, and a 2-D depthwise
    /// `conv → ReLU` without bias, fused and bit-identical to the unfused run, close to the reference
    /// kernels; on the packed GEMM (K > 160) and SmallGemm (K ≤ 160) paths.
    @Test(arguments: [
        ([1, 16, 4, 9, 10], [24, 16, 3, 3, 3], "1,1,1", "relu"),
        ([1, 16, 4, 9, 10], [24, 16, 3, 3, 3], "1,1,1", "Relu"),
        ([1, 4, 4, 9, 10], [12, 4, 3, 3, 3], "1,1,1", "relu"),
        ([1, 16, 4, 9, 10], [16, 16, 3, 3, 3], "1,1,1", "bias+residual+clamp"),
        ([1, 4, 4, 9, 10], [4, 4, 3, 3, 3], "1,1,1", "bias+residual+clamp"),
        ([1, 6, 9, 10], [6, 1, 1, 3, 3], "1,1", "relu"),
    ] as [([Int], [Int], String, String)])
    func fusedEpilogueIsBitIdenticalToUnfused(_ x: [Int], _ w: [Int], _ pads: String, _ chain: String) throws {
        let rank = x.count - 2, ones = Array(repeating: "1", count: rank).joined(separator: ",")
        let grouped = w.count == x.count + 1
        let wt = FastKernelTests.random(w, seed: 58, scale: 1 / Float(w.dropFirst(grouped ? 2 : 1).reduce(1, *)).squareRoot())
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, x)
        let conv = g.op(grouped ? "GroupConvolution" : "Convolution", [p, g.constant(wt)],
                        FastKernelTests.convAttrs(ones, pads, dil: ones), version: "opset1", name: "conv")
        let c = grouped ? w[0] : w[0]
        let label: String
        switch chain {
        case "relu", "Relu":
            g.result(g.op(chain == "relu" ? "ReLU" : "Relu", [conv], [:], version: "opset1", name: "act"))
            label = chain == "relu" ? "ReLU" : "Relu"
        default:
            let bias = g.op("Add", [conv, g.constant(FastKernelTests.random([1, c] + Array(repeating: 1, count: rank), seed: 59))],
                            ["auto_broadcast": "numpy"], version: "opset1", name: "bias")
            let sum = g.op("Add", [bias, p], ["auto_broadcast": "numpy"], version: "opset1", name: "residual")
            g.result(g.op("Clamp", [sum], ["min": "-0.5", "max": "1.25"], version: "opset1", name: "act"))
            label = "Add+Add+Clamp"
        }
        let input = FastKernelTests.random(x, seed: 60)
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer([input])[0]
        var off = CompileOptions()
        off.fuseConvolutions = false
        let unfused = try CompiledModel(graph: g.graph, options: off)
        #expect(unfused.fusedConvolutions.isEmpty)
        let expected = try unfused.infer([input])[0].floatValues()
        let far = zip(reference.floatValues(), expected).filter { abs($0 - $1) > 1e-5 + 1e-4 * abs($0) }.count
        #expect(far == 0, "unfused fast run: \(far) of \(expected.count) values differ from the reference")
        for threads in [1, 3] {
            let fast = try CompiledModel(graph: g.graph, options: CompileOptions(threads: threads))
            #expect(fast.fusedConvolutions["conv"] == label)
            for run in 0..<2 {
                let got = try fast.infer([input])[0].floatValues()
                let differ = zip(got, expected).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differ == 0, "threads \(threads) run \(run): \(differ) of \(got.count) values differ from the unfused run")
            }
        }
    }
}

extension FastConv3DKernelTests {
    /// 3-D MaxPool-8 whose index output no step reads (C3D/I3D IRs from converters) computes only the
    /// maxima: bit-identical to the reference; a run observing the indices gets the reference's.
    @Test(arguments: [("2,2,2", "2,2,2", "0,0,0"), ("1,2,2", "1,2,2", "0,0,0"), ("3,3,3", "1,2,2", "1,1,1")])
    func maxPool8UnreadIndices3D(_ geometry: (String, String, String)) throws {
        let (kernel, strides, pads) = geometry
        let shape = [1, 3, 6, 10, 37]
        let x = Tensor(shape: shape, scalars: FastKernelTests.random(shape, seed: 61, scale: 2).floatValues().map { ($0 * 2).rounded() / 2 })
        try FastKernelTests.expectUnreadIndicesSkipped(x, kernel: kernel, strides: strides, pads: pads, dilations: "1,1,1",
                                                       kernelName: "simd.pool3d(no indices)")
    }
}
