import Testing
import OVInterpreter
import _TestSupport

/// Differential tests of the SIMD kernels: depthwise convolution, broadcast arithmetic,
/// activations, softmax, MVN, FakeQuantize and pooling (see ``FastKernelTests``).
@Suite("Fast kernels: SIMD")
struct FastSIMDKernelTests {
    let random = FastKernelTests.random
    let differential = FastKernelTests.differential

    @Test(arguments: [
        ([1, 5, 9, 11], [5, 1, 1, 3, 3], FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1")),
        ([2, 3, 12, 13], [3, 1, 1, 3, 3], FastKernelTests.convAttrs("2,2", "1,1", "0,0", dil: "1,1")),
        ([1, 4, 11, 10], [4, 1, 1, 5, 5], FastKernelTests.convAttrs("1,1", "4,4", dil: "2,2")),
        ([1, 3, 9, 9], [3, 1, 1, 3, 2], FastKernelTests.convAttrs("3,3", "0,0", dil: "1,1", auto: "same_lower")),
        ([1, 4, 19], [4, 1, 1, 3], FastKernelTests.convAttrs("1", "1", dil: "1")),
        ([1, 6, 13, 17], [6, 1, 1, 5, 5], FastKernelTests.convAttrs("1,1", "2,2", dil: "1,1")),   // taps in chunks of 4 + 1
        ([1, 2, 15, 9], [2, 1, 1, 7, 7], FastKernelTests.convAttrs("1,1", "3,3", "1,2", dil: "1,1")),
        ([1, 3, 12, 12], [3, 1, 1, 5, 5], FastKernelTests.convAttrs("2,2", "1,1", "2,2", dil: "1,1")),
        // Palm/face shapes: tiny planes, stride 2 with asymmetric pads, rows wide enough for two
        // SIMD8 chunks per pass plus a short tail, outputs entirely in the padding, odd strides.
        ([2, 3, 6, 6], [3, 1, 1, 5, 5], FastKernelTests.convAttrs("1,1", "2,2", dil: "1,1")),
        ([1, 4, 24, 37], [4, 1, 1, 5, 5], FastKernelTests.convAttrs("2,2", "1,1", "2,2", dil: "1,1")),
        ([1, 2, 17, 40], [2, 1, 1, 3, 3], FastKernelTests.convAttrs("2,2", "0,0", "1,1", dil: "1,1")),
        ([1, 3, 13, 29], [3, 1, 1, 3, 3], FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1")),
        ([1, 2, 20, 23], [2, 1, 1, 3, 3], FastKernelTests.convAttrs("3,3", "2,2", dil: "2,2")),
        ([1, 2, 9, 19], [2, 1, 1, 3, 5], FastKernelTests.convAttrs("1,2", "1,2", dil: "1,1")),
        ([1, 2, 5, 6], [2, 1, 1, 3, 3], FastKernelTests.convAttrs("1,1", "3,3", dil: "1,1")),
        ([1, 3, 33], [3, 1, 1, 5], FastKernelTests.convAttrs("2", "2", dil: "1")),
        ([1, 3, 17], [3, 1, 1, 4], FastKernelTests.convAttrs("1", "0", "3", dil: "1")),
        ([1, 64, 30, 30], [64, 1, 1, 5, 5], FastKernelTests.convAttrs("1,1", "2,2", dil: "1,1")),  // split across threads
        // Stride-2 rows copied eight columns at a time: phase 1's last chunk would read past the
        // row's end (32 columns) and takes the odd lanes of the 16 values one column earlier.
        ([2, 3, 7, 32], [3, 1, 1, 3, 3], FastKernelTests.convAttrs("2,2", "0,0", "1,1", dil: "1,1")),
    ])
    func depthwise(_ x: [Int], _ w: [Int], _ attrs: [String: String]) throws {
        let wt = random(w, 11, 1)
        try differential("simd.depthwise", [random(x, 12, 1)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("GroupConvolution", [p[0], g.constant(wt)], attrs, version: "opset1", name: "target")
        }
    }

    /// Small planes with eight or more channels take the channel-interleaved kernel (eight
    /// channels per SIMD8 lane group; the channels past the last full block plane by plane): every
    /// output bit-identical to the reference kernel (same tap order, separate multiply and add).
    @Test(arguments: [
        ([2, 20, 10, 10], [20, 1, 1, 5, 5], FastKernelTests.convAttrs("1,1", "2,2", dil: "1,1")),
        ([1, 16, 9, 9], [16, 1, 1, 3, 3], FastKernelTests.convAttrs("2,2", "1,1", dil: "1,1")),
        ([1, 8, 6, 6], [8, 1, 1, 3, 3], FastKernelTests.convAttrs("1,1", "2,2", dil: "2,2")),
        ([1, 11, 3, 3], [11, 1, 1, 3, 3], FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1")),
        ([1, 24, 7, 12], [24, 1, 1, 3, 5], FastKernelTests.convAttrs("1,2", "0,1", "2,2", dil: "1,1")),
        ([1, 9, 12], [9, 1, 1, 3], FastKernelTests.convAttrs("1", "1", dil: "1")),
        ([1, 64, 5, 5], [64, 1, 1, 5, 5], FastKernelTests.convAttrs("1,1", "2,2", dil: "1,1")),   // split across threads
    ])
    func depthwiseChannelBlocks(_ x: [Int], _ w: [Int], _ attrs: [String: String]) throws {
        let wt = random(w, 16, 1)
        try differential("simd.depthwise", [random(x, 17, 1)], 0, 0, #_sourceLocation) { g, p in
            g.op("GroupConvolution", [p[0], g.constant(wt)], attrs, version: "opset1", name: "target")
        }
    }

    @Test(arguments: ["Add", "Subtract", "Multiply", "Divide", "Maximum", "Minimum"], [
        ([2, 3, 4, 5], [2, 3, 4, 5]),
        ([2, 3, 4, 5], [1, 3, 1, 1]),   // per channel
        ([1, 3, 4, 5], [3, 1, 1]),
        ([2, 7, 9], [9]),               // trailing vector
        ([3, 1, 5], [1, 4, 1]),         // both sides broadcast
        ([1], [2, 3, 5]),               // scalar first
        ([2, 3, 5], []),                // scalar second
        ([300, 301], [300, 1]),
    ])
    func binary(_ op: String, _ shapes: ([Int], [Int])) throws {
        // Divisors away from 0 keep Divide well conditioned.
        let b = op == "Divide" ? Tensor(shape: shapes.1, scalars: random(shapes.1, 14, 1).floatValues().map { $0 >= 0 ? $0 + 0.5 : $0 - 0.5 })
            : random(shapes.1, 14, 1)
        try differential("simd.binary", [random(shapes.0, 13, 1), b], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op(op, p, ["auto_broadcast": "numpy"], version: "opset1", name: "target")
        }
    }

    @Test(arguments: [
        ("Relu", "opset1", [String: String]()), ("Sigmoid", "opset1", [:]), ("Clamp", "opset1", ["min": "-1.5", "max": "6"]),
        ("Gelu", "opset7", ["approximation_mode": "erf"]), ("Gelu", "opset7", ["approximation_mode": "tanh"]), ("Gelu", "opset2", [:]),
        ("HSwish", "opset4", [:]), ("HSigmoid", "opset5", [:]), ("Elu", "opset1", ["alpha": "0.7"]), ("SoftPlus", "opset4", [:]),
        ("Mish", "opset4", [:]), ("SoftSign", "opset9", [:]), ("Swish", "opset4", [:]),
    ])
    func activation(_ op: String, _ version: String, _ attrs: [String: String]) throws {
        // Values in [-20, 20) plus the extremes exp must survive.
        var values = random([3, 7, 41], 15, 10).floatValues()
        values[0] = 100; values[1] = -100; values[2] = 88.5; values[3] = -88.5; values[4] = 0; values[5] = 1e-7
        try differential("simd.activation", [Tensor(shape: [3, 7, 41], scalars: values)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op(op, p, attrs, version: version, name: "target")
        }
    }

    @Test(arguments: [Float(1), 0.35, -1.5])
    func swishWithBeta(_ beta: Float) throws {
        var values = random([2, 9, 37], 23, 10).floatValues()
        values[0] = 100; values[1] = -100; values[2] = 0
        try differential("simd.activation", [Tensor(shape: [2, 9, 37], scalars: values)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("Swish", [p[0], g.constant([beta], shape: [])], version: "opset4", name: "target")
        }
    }

    @Test(arguments: ["Negative", "Abs", "Sqrt", "Floor", "Ceiling", "Exp", "Log", "Tanh", "Erf"])
    func unaryMath(_ op: String) throws {
        // Both signs, tiny and huge magnitudes, zero and a subnormal; Sqrt and Log see NaN for negatives on both sides.
        var values = random([5, 83], 24, 12).floatValues()
        values[0] = 0; values[1] = 1e-7; values[2] = -1e-7; values[3] = Float(bitPattern: 0x0001_16C2);  // subnormal, ~1e-40
        values[4] = 88; values[5] = -90
        values[6] = 3e38; values[7] = 0.6; values[8] = -0.63; values[9] = 1
        try differential("simd.unary", [Tensor(shape: [5, 83], scalars: values)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op(op, p, version: "opset1", name: "target")
        }
    }

    @Test(arguments: [([2, 5, 3, 3], [5]), ([2, 5, 3, 3], [1]), ([4, 6], [6])])
    func prelu(_ x: [Int], _ slope: [Int]) throws {
        try differential("simd.prelu", [random(x, 16, 1), random(slope, 17, 1)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("PReLU", p, [:], version: "opset1", name: "target")
        }
    }

    @Test(arguments: [([3, 12, 37], -1), ([2, 5, 4, 3], 1), ([6, 129], 1), ([4, 1], 1)])
    func softmax(_ shape: [Int], _ axis: Int) throws {
        try differential("simd.softmax", [random(shape, 18, 8)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("SoftMax", p, ["axis": "\(axis)"], version: "opset8", name: "target")
        }
    }

    @Test(arguments: [
        ([1, 13, 77], [Int64(-1)], "inside_sqrt", "true"),
        ([2, 3, 5, 7], [2, 3], "outside_sqrt", "true"),
        ([2, 3, 5, 7], [1, 2, 3], "inside_sqrt", "false"),
    ])
    func mvn(_ shape: [Int], _ axes: [Int64], _ epsMode: String, _ normalize: String) throws {
        try differential("simd.mvn", [random(shape, 19, 3)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("MVN", [p[0], g.constant(i64: axes)], ["eps": "1e-5", "eps_mode": epsMode, "normalize_variance": normalize],
                 version: "opset6", name: "target")
        }
    }

    @Test func mvn1AcrossChannels() throws {
        try differential("simd.mvn", [random([2, 3, 4, 5], 20, 2)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("MVN", p, ["eps": "1e-6", "normalize_variance": "true", "across_channels": "true"], version: "opset2", name: "target")
        }
    }

    @Test(arguments: [
        ([2, 3, 4, 5], [Int](), 256),
        ([2, 3, 4, 5], [1, 3, 1, 1], 255),
        ([2, 3, 4, 5], [3, 1, 1], 2),
        ([6, 17], [6, 1], 16),
    ])
    func fakeQuantize(_ shape: [Int], _ rangeShape: [Int], _ levels: Int) throws {
        let c = rangeShape.reduce(1, *)
        let lows = (0..<c).map { Float(-1 - 0.1 * Double($0)) }, highs = (0..<c).map { Float(1.2 + 0.05 * Double($0)) }
        // With several channels, channel 0 has an inverted input range (exercises the min/max order).
        let il = Tensor(shape: rangeShape, scalars: lows)
        let ih = Tensor(shape: rangeShape, scalars: c > 1 ? [-highs[0]] + highs.dropFirst() : highs)
        let ol = Tensor(shape: rangeShape, scalars: lows.map { $0 * 2 }), oh = Tensor(shape: rangeShape, scalars: highs)
        try differential("simd.fakequantize", [random(shape, 21, 1.5)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op("FakeQuantize", [p[0], g.constant(il), g.constant(ih), g.constant(ol), g.constant(oh)],
                 ["levels": "\(levels)", "auto_broadcast": "numpy"], version: "opset1", name: "target")
        }
    }

    /// Power by a constant 2 runs as x · x, as OpenVINO's CPU plugin computes a constant integer
    /// power (checked against OpenVINO 2026.4: 0 of 49152 values differ from x · x, 30 from powf):
    /// bit-identical to x · x, within one ulp of the reference kernel's powf(x, 2) (glibc's powf is
    /// not correctly rounded: values with few significant bits, as here, often differ by an ulp).
    /// Other exponents and non-constant exponents keep the reference kernel (OpenVINO: powf).
    @Test(arguments: [([2, 3, 40, 41], [Int]()), ([1, 64, 768], [1]), ([7], [1, 1])])
    func powerOfTwo(_ shape: [Int], _ exponentShape: [Int]) throws {
        let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 1e-30, -3e20, .leastNonzeroMagnitude, 1.5, -7]
        var xs = random(shape, 15, 3).floatValues()
        for (k, v) in specials.enumerated() where k < xs.count { xs[k] = v }
        let x = Tensor(shape: shape, scalars: xs)
        let two = Tensor(shape: exponentShape, scalars: [Float](repeating: 2, count: exponentShape.reduce(1, *)))
        let g = GraphBuilder()
        g.result(g.op("Power", [g.parameter("x", .f32, shape), g.constant(two)], ["auto_broadcast": "numpy"], version: "opset1", name: "target"))
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer([x])[0].floatValues()
        for threads in [1, 3] {
            let fast = try CompiledModel(graph: g.graph, options: CompileOptions(threads: threads))
            #expect(fast.kernelNamesByNode["target"] == "simd.binary")
            let got = try fast.infer([x])[0].floatValues()
            #expect(got.map(\.bitPattern) == xs.map { ($0 * $0).bitPattern })
            let far = zip(got, reference).filter { a, r in !(a.isNaN && r.isNaN) && a != r && abs(a - r) > r.ulp }
            #expect(far.isEmpty, "\(far.count) values more than one ulp from powf, e.g. \(far.first.map { "\($0)" } ?? "")")
        }
        for other in [Tensor(shape: [1], scalars: [Float(3)]), Tensor(shape: [2], scalars: [Float(2), 3])] {
            let h = GraphBuilder()
            h.result(h.op("Power", [h.parameter("x", .f32, [3, 2]), h.constant(other)], ["auto_broadcast": "numpy"],
                          version: "opset1", name: "target"))
            #expect(try CompiledModel(graph: h.graph).kernelNamesByNode["target"] == "ref")
        }
        let variable = GraphBuilder()
        variable.result(variable.op("Power", [variable.parameter("x", .f32, [3, 2]), variable.parameter("e", .f32, [1])],
                                    ["auto_broadcast": "numpy"], version: "opset1", name: "target"))
        #expect(try CompiledModel(graph: variable.graph).kernelNamesByNode["target"] == "ref")
    }

    @Test(arguments: [
        ("MaxPool", ["kernel": "3,3", "strides": "2,2", "pads_begin": "1,1", "pads_end": "1,1", "rounding_type": "floor", "auto_pad": "explicit"]),
        ("MaxPool", ["kernel": "2,3", "strides": "2,2", "pads_begin": "0,0", "pads_end": "0,0", "rounding_type": "ceil", "auto_pad": "explicit"]),
        ("MaxPool", ["kernel": "2,2", "strides": "2,2", "pads_begin": "0,0", "pads_end": "0,0", "rounding_type": "ceil", "auto_pad": "explicit"]),
        ("MaxPool", ["kernel": "2,2", "strides": "1,2", "pads_begin": "1,1", "pads_end": "0,0", "rounding_type": "floor", "auto_pad": "explicit"]),
        ("AvgPool", ["kernel": "3,3", "strides": "2,2", "pads_begin": "1,1", "pads_end": "1,1", "rounding_type": "ceil", "auto_pad": "explicit", "exclude-pad": "true"]),
        ("AvgPool", ["kernel": "3,3", "strides": "2,2", "pads_begin": "1,1", "pads_end": "2,2", "rounding_type": "ceil", "auto_pad": "explicit", "exclude-pad": "false"]),
        ("AvgPool", ["kernel": "2,2", "strides": "1,1", "pads_begin": "0,0", "pads_end": "0,0", "rounding_type": "floor", "auto_pad": "same_upper", "exclude-pad": "false"]),
    ])
    func pooling(_ op: String, _ attrs: [String: String]) throws {
        try differential("simd.pool", [random([2, 3, 11, 10], 22, 1)], 1e-4, 1e-5, #_sourceLocation) { g, p in
            g.op(op, p, attrs, version: "opset1", name: "target")
        }
    }

    /// Rows wide enough for the eight-output vector windows (stride 1 and 2), values rounded to
    /// quarters so windows hold ties (the first maximum must win): bit-exact against the reference,
    /// MaxPool-8's indices included.
    @Test(arguments: [
        ("MaxPool", "opset1", ["kernel": "3,3", "strides": "2,2", "pads_begin": "1,1", "pads_end": "1,1", "rounding_type": "floor"]),
        ("MaxPool", "opset1", ["kernel": "5,5", "strides": "1,1", "pads_begin": "2,2", "pads_end": "2,2", "rounding_type": "floor"]),
        ("MaxPool", "opset8", ["kernel": "3,3", "strides": "2,2", "pads_begin": "1,1", "pads_end": "1,1", "rounding_type": "ceil",
                               "dilations": "1,1", "index_element_type": "i64", "axis": "0"]),
        ("MaxPool", "opset8", ["kernel": "3,2", "strides": "1,1", "pads_begin": "0,1", "pads_end": "1,0", "rounding_type": "floor",
                               "dilations": "1,1", "index_element_type": "i32", "axis": "2"]),
        ("AvgPool", "opset1", ["kernel": "3,3", "strides": "1,1", "pads_begin": "1,1", "pads_end": "1,1", "rounding_type": "floor", "exclude-pad": "true"]),
        ("AvgPool", "opset1", ["kernel": "3,3", "strides": "2,2", "pads_begin": "1,1", "pads_end": "1,1", "rounding_type": "ceil", "exclude-pad": "false"]),
        ("AvgPool", "opset1", ["kernel": "2,2", "strides": "2,2", "pads_begin": "0,0", "pads_end": "0,0", "rounding_type": "floor", "exclude-pad": "true"]),
    ], [[2, 3, 13, 37], [1, 2, 9, 64]])
    func poolingVectorWindows(_ c: (String, String, [String: String]), _ shape: [Int]) throws {
        var attrs = c.2
        attrs["auto_pad"] = "explicit"
        let x = Tensor(shape: shape, scalars: random(shape, 25, 2).floatValues().map { ($0 * 4).rounded() / 4 })
        try differential("simd.pool", [x], 0, 0, #_sourceLocation) { g, p in
            guard c.1 == "opset8" else { return g.op(c.0, p, attrs, version: c.1, name: "target") }
            let n = g.node(c.0, p, attributes: attrs, version: c.1, outputs: 2, name: "target")
            g.result(n.output(1))
            return n.output(0)
        }
    }

    /// The 2x2 stride-2 path of MaxPool-8 (palm/face downsampling), odd sizes (a clipped last
    /// window with ceil rounding) and every index reduction: whole tensor, per image, per plane, per row.
    /// Rows of 37 and 40 columns take the eight-outputs-per-step path, then one overlapping chunk
    /// ending at the row's end (or the clipped last window); rows of 24, 12 and 11 the 8- and
    /// 4-output chunks with an overlapping last chunk (face_landmark's 24x24 and 12x12 planes), 6
    /// the scalar windows.
    @Test(arguments: [("i64", "0", "ceil"), ("i64", "1", "floor"), ("i32", "2", "ceil"), ("i64", "3", "ceil"), ("i32", "0", "floor")],
          [[2, 3, 9, 11], [1, 3, 10, 37], [1, 2, 5, 40], [1, 2, 6, 24], [2, 2, 4, 12], [1, 3, 6, 6]])
    func maxPool8TwoByTwo(_ index: (String, String, String), _ shape: [Int]) throws {
        let (indexType, axis, rounding) = index
        let x = Tensor(shape: shape, scalars: random(shape, 24, 2).floatValues().map { ($0 * 2).rounded() / 2 })
        try differential("simd.pool", [x], 1e-4, 1e-5, #_sourceLocation) { g, p in
            let n = g.node("MaxPool", p, attributes: ["kernel": "2,2", "strides": "2,2", "dilations": "1,1", "pads_begin": "0,0",
                                                      "pads_end": "0,0", "rounding_type": rounding, "auto_pad": "explicit",
                                                      "index_element_type": indexType, "axis": axis],
                           version: "opset8", outputs: 2, name: "target")
            g.result(n.output(1))
            return n.output(0)
        }
    }

    /// MaxPool-8 whose index output no step reads (as converters leave it) runs a variant that
    /// computes only the maxima: bit-identical to the reference; a run observing the index output
    /// uses the full kernel and gets the reference's indices. Rows of 80, 37, 20 and 13 columns
    /// end in an overlapping SIMD chunk, a scalar window or both.
    @Test(arguments: [("3,3", "2,2", "0,0"), ("3,3", "2,2", "1,1"), ("3,3", "1,1", "1,1"), ("2,2", "2,2", "0,0"), ("5,5", "1,1", "2,2")],
          [[1, 3, 80, 80], [2, 2, 13, 37], [1, 2, 20, 20], [1, 1, 9, 13]])
    func maxPool8UnreadIndices(_ geometry: (String, String, String), _ shape: [Int]) throws {
        let (kernel, strides, pads) = geometry
        let x = Tensor(shape: shape, scalars: random(shape, 26, 2).floatValues().map { ($0 * 2).rounded() / 2 })
        try FastKernelTests.expectUnreadIndicesSkipped(x, kernel: kernel, strides: strides, pads: pads, dilations: "1,1",
                                                       kernelName: "simd.pool(no indices)")
    }

    @Test(arguments: [("i64", "0"), ("i32", "2"), ("i64", "-1")])
    func maxPool8WithIndices(_ indexType: String, _ axis: String) throws {
        // Ties (values rounded to 0.5) check that the first maximum wins, as in the reference.
        let x = Tensor(shape: [2, 3, 9, 10], scalars: random([2, 3, 9, 10], 23, 2).floatValues().map { ($0 * 2).rounded() / 2 })
        try differential("simd.pool", [x], 1e-4, 1e-5, #_sourceLocation) { g, p in
            let n = g.node("MaxPool", p, attributes: ["kernel": "3,2", "strides": "2,2", "dilations": "1,1", "pads_begin": "1,0",
                                                      "pads_end": "1,1", "rounding_type": "ceil", "auto_pad": "explicit",
                                                      "index_element_type": indexType, "axis": axis],
                           version: "opset8", outputs: 2, name: "target")
            g.result(n.output(1))
            return n.output(0)
        }
    }
}

