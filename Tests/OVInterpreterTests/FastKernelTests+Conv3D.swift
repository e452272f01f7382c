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
