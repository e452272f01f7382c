import Testing
import OVInterpreter
import _TestSupport

/// Differential tests of the data-movement and resampling fast kernels: Interpolate, Reduce*,
/// Concat and Transpose (see ``FastKernelTests``).
@Suite("Fast kernels: layout and resampling")
struct FastLayoutKernelTests {
    let random = FastKernelTests.random
    let differential = FastKernelTests.differential

    @Test(arguments: [
        // (shape, scales or sizes, axes, attributes)
        ([1, 3, 7, 9], [2, 2] as [Float], [2, 3] as [Int64], ["mode": "linear", "coordinate_transformation_mode": "half_pixel"]),
        ([2, 4, 6, 5], [2, 2], [2, 3], ["mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"]),
        ([1, 5, 8, 8], [0.5, 0.5], [2, 3], ["mode": "linear", "antialias": "true"]),
        ([1, 2, 9, 7], [1.7, 0.6], [2, 3], ["mode": "linear_onnx", "coordinate_transformation_mode": "align_corners"]),
        ([1, 3, 5, 6], [2.5, 1.5], [2, 3], ["mode": "cubic", "coordinate_transformation_mode": "pytorch_half_pixel"]),
        ([1, 3, 6, 6], [0.5, 1.5], [2, 3], ["mode": "bilinear_pillow"]),
        ([1, 3, 6, 6], [0.75, 1.25], [2, 3], ["mode": "bicubic_pillow"]),
        ([3, 10, 4], [3], [2], ["mode": "nearest", "nearest_mode": "round_prefer_ceil"]),
        ([2, 6, 5], [2, 2], [1, 2], ["mode": "linear_onnx", "coordinate_transformation_mode": "tf_half_pixel_for_nn"]),
        ([1, 4, 3, 3], [1, 1], [2, 3], ["mode": "linear"]),
    ] as [([Int], [Float], [Int64], [String: String])])
    func interpolateScales(_ shape: [Int], _ scales: [Float], _ axes: [Int64], _ attrs: [String: String]) throws {
        var a = attrs
        a["shape_calculation_mode"] = "scales"
        try differential("fast.interpolate", [random(shape, 31, 3)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("Interpolate", [p[0], g.constant(scales, shape: [scales.count]), g.constant(i64: axes)], a,
                 version: "opset11", name: "target")
        }
    }

    /// The last axis eight outputs at a time when every output has the same number of taps (linear
    /// upsampling: 2, nearest: 1, cubic: 4), the last `m mod 8` as scalars; non-uniform taps
    /// (linear_onnx at a clamped edge) the scalar loop: bit-identical to the reference.
    @Test(arguments: [
        ([1, 3, 7, 13], [2, 2] as [Float], ["mode": "linear", "coordinate_transformation_mode": "half_pixel"]),   // U-Net's form, m = 26
        ([2, 2, 5, 9], [2, 2], ["mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"]),
        ([1, 2, 4, 12], [1.5, 1.5], ["mode": "cubic", "coordinate_transformation_mode": "half_pixel"]),
        ([1, 2, 6, 40], [0.5, 0.5], ["mode": "linear_onnx", "coordinate_transformation_mode": "half_pixel"]),
        ([1, 2, 3, 16], [1, 3], ["mode": "linear", "coordinate_transformation_mode": "align_corners"]),
    ] as [([Int], [Float], [String: String])])
    func interpolateLastAxisBitExact(_ shape: [Int], _ scales: [Float], _ attrs: [String: String]) throws {
        var a = attrs
        a["shape_calculation_mode"] = "scales"
        try differential("fast.interpolate", [random(shape, 33, 3)], 0, 0, #_sourceLocation) { g, p in
            g.op("Interpolate", [p[0], g.constant(scales, shape: [scales.count]), g.constant(i64: [2, 3])], a,
                 version: "opset11", name: "target")
        }
    }

    @Test func interpolateSizesAllAxesV4() throws {
        // Interpolate-4: data, sizes, scales, axes; sizes for every dim, axes omitted.
        let attrs = ["mode": "linear_onnx", "shape_calculation_mode": "sizes", "coordinate_transformation_mode": "half_pixel",
                     "nearest_mode": "round_prefer_floor", "antialias": "false", "pads_begin": "0,0,0,0", "pads_end": "0,0,0,0",
                     "cube_coeff": "-0.75"]
        try differential("fast.interpolate", [random([2, 3, 5, 4], 32, 3)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("Interpolate", [p[0], g.constant(i64: [2, 3, 11, 9]), g.constant([1, 1, 2.2, 2.25], shape: [4])], attrs,
                 version: "opset4", name: "target")
        }
    }

    @Test func interpolateWithPadsStaysOnReference() throws {
        let g = GraphBuilder()
        let x = g.parameter("x", .f32, [1, 1, 3, 3])
        g.result(g.op("Interpolate", [x, g.constant([2, 2], shape: [2]), g.constant(i64: [2, 3])],
                      ["mode": "nearest", "shape_calculation_mode": "scales", "pads_begin": "0,0,1,0", "pads_end": "0,0,0,0"],
                      version: "opset11", name: "target"))
        let m = try CompiledModel(graph: g.graph)
        #expect(m.kernelNamesByNode["target"] == "ref")
    }
}

extension FastLayoutKernelTests {
    @Test(arguments: ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2"],
          [([2, 6, 5, 7], [2, 3] as [Int64], true), ([2, 6, 5, 7], [1], false), ([3, 130], [-1], false),
           ([2, 3, 4, 5], [0, 1], true), ([1, 40, 9], [1], true), ([5, 4, 3], [0, 1, 2], false)] as [([Int], [Int64], Bool)])
    func reduce(_ op: String, _ c: ([Int], [Int64], Bool)) throws {
        // ReduceProd over many values would under/overflow: keep its inputs near 1.
        var x = random(c.0, 33, op == "ReduceProd" ? 0.1 : 2)
        if op == "ReduceProd" { x = Tensor(shape: c.0, scalars: x.floatValues().map { 1 + $0 }) }
        var values = x.floatValues()
        if op == "ReduceMax" || op == "ReduceMin" { values[7] = .nan }   // NaN propagates like the reference
        // Sums of up to 210 values in 8 partial sums: allow their rounding.
        try differential("fast.reduce", [Tensor(shape: c.0, scalars: values)], 1e-4, 1e-4, #_sourceLocation) { g, p in
            g.op(op, [p[0], g.constant(i64: c.1)], ["keep_dims": c.2 ? "true" : "false"], version: "opset4", name: "target")
        }
    }

    @Test func reduceOverSeparatedAxesStaysOnReference() throws {
        let g = GraphBuilder()
        let x = g.parameter("x", .f32, [2, 3, 4])
        g.result(g.op("ReduceSum", [x, g.constant(i64: [0, 2])], version: "opset1", name: "target"))
        #expect(try CompiledModel(graph: g.graph).kernelNamesByNode["target"] == "ref")
    }

    @Test(arguments: [
        ([1, 3, 85, 37], [0, 1, 3, 2] as [Int64]), ([2, 17, 33], [0, 2, 1]), ([1, 8, 6, 5], [0, 2, 3, 1]),
        ([4, 5, 6, 7], [3, 2, 1, 0]), ([1, 20, 3, 16], [0, 2, 1, 3]), ([7, 19], [1, 0]), ([3, 1, 18, 1, 21], [4, 1, 0, 2, 3]),
    ] as [([Int], [Int64])])
    func transpose(_ shape: [Int], _ order: [Int64]) throws {
        // Bit-exact: a transpose only moves values.
        try differential("fast.transpose", [random(shape, 34, 3)], 0, 0, #_sourceLocation) { g, p in
            g.op("Transpose", [p[0], g.constant(i64: order)], version: "opset1", name: "target")
        }
    }
}

extension FastLayoutKernelTests {
    /// BatchNormInference-5 (data first) and -1 (gamma, beta, data, ...): bit-exact.
    @Test(arguments: [("opset5", [2, 6, 7, 9]), ("opset1", [1, 5, 33]), ("opset5", [3, 4])])
    func batchNorm(_ version: String, _ shape: [Int]) throws {
        let c = shape[1]
        let gamma = random([c], 41, 1), beta = random([c], 42, 1), mean = random([c], 43, 1)
        let variance = Tensor(shape: [c], scalars: random([c], 44, 1).floatValues().map { $0 * $0 + 0.1 })
        try differential("simd.batchnorm", [random(shape, 45, 3)], 0, 0, #_sourceLocation) { g, p in
            let ins = version == "opset5" ? [p[0], g.constant(gamma), g.constant(beta), g.constant(mean), g.constant(variance)]
                                          : [g.constant(gamma), g.constant(beta), p[0], g.constant(mean), g.constant(variance)]
            return g.op("BatchNormInference", ins, ["epsilon": "0.001"], version: version, name: "target")
        }
    }
}
