import Testing
import OVInterpreter
import _TestSupport

/// 3-D convolutions (im2col + sgemm) against the reference kernel.
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
        try FastKernelTests.differential(kernel: "blas.conv3d", inputs: [FastKernelTests.random(x, seed: 52)]) { g, p in
            g.op("Convolution", [p[0], g.constant(wt)], a, version: "opset1", name: "target")
        }
    }

    @Test func groupConvolution3D() throws {
        let wt = FastKernelTests.random([2, 3, 2, 3, 3, 3], seed: 53, scale: 0.2)
        try FastKernelTests.differential(kernel: "blas.conv3d", inputs: [FastKernelTests.random([2, 4, 5, 6, 7], seed: 54)]) { g, p in
            g.op("GroupConvolution", [p[0], g.constant(wt)], FastKernelTests.convAttrs("1,1,1", "1,1,1", dil: "1,1,1"),
                 version: "opset1", name: "target")
        }
    }
}

extension FastConv3DKernelTests {
    /// 3-D pooling, bit-exact against the reference (values rounded to quarters: windows hold ties,
    /// the first maximum must win), MaxPool-8's indices included.
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
    ])
    func pooling3D(_ c: (String, String, [String: String])) throws {
        var attrs = c.2
        attrs["auto_pad"] = "explicit"
        let shape = [2, 3, 5, 7, 9]
        let x = Tensor(shape: shape, scalars: FastKernelTests.random(shape, seed: 55, scale: 2).floatValues().map { ($0 * 4).rounded() / 4 })
        try FastKernelTests.differential(kernel: "simd.pool3d", inputs: [x], rtol: 0, atol: 0) { g, p in
            guard c.1 == "opset8" else { return g.op(c.0, p, attrs, version: c.1, name: "target") }
            let n = g.node(c.0, p, attributes: attrs, version: c.1, outputs: 2, name: "target")
            g.result(n.output(1))
            return n.output(0)
        }
    }
}
