import Testing
import OVInterpreter
import _TestSupport

/// Differential tests of ``GemmDeconvolutionKernel`` (sgemm + col2im) against the reference
/// transposed convolution: strides, dilations, asymmetric pads, output_padding, auto_pad with the
/// output_shape input, 1-D/2-D/3-D, groups, the overlap-free store path with and without full
/// coverage of the output, and several input-row tiles.
@Suite("Fast kernels: transposed convolution")
struct FastDeconvolutionTests {
    let random = FastKernelTests.random

    /// A DeconvCase: data shape, weights shape (`[Ci, Co, K...]` or `[G, Ci/G, Co/G, K...]`), attributes,
    /// the optional output_shape input.
    struct Case: CustomTestStringConvertible, Sendable {
        let x: [Int], w: [Int], grouped: Bool, attrs: [String: String], outputShape: [Int64]?
        var testDescription: String { "x\(x) w\(w)\(grouped ? " grouped" : "") \(attrs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))\(outputShape.map { " output_shape \($0)" } ?? "")" }
    }

    static func attrs(_ strides: String, _ pads: String, _ padsEnd: String? = nil, dil: String? = nil, auto: String = "explicit",
                      outputPadding: String? = nil) -> [String: String] {
        let ones = strides.split(separator: ",").map { _ in "1" }.joined(separator: ",")
        var a = ["strides": strides, "dilations": dil ?? ones, "pads_begin": pads, "pads_end": padsEnd ?? pads, "auto_pad": auto]
        if let outputPadding { a["output_padding"] = outputPadding }
        return a
    }

    static let cases: [Case] = [
        // U-Net's up-sampling: kernel = stride, no padding (a pure store, every output written once).
        Case(x: [1, 16, 8, 8], w: [16, 8, 2, 2], grouped: false, attrs: attrs("2,2", "0,0"), outputShape: nil),
        Case(x: [2, 5, 3, 7], w: [5, 3, 3, 3], grouped: false, attrs: attrs("3,3", "0,0"), outputShape: nil),
        // Kernel = stride with output_padding: the extra row/column gets no tap (zeroed, then stored).
        Case(x: [1, 2, 5, 5], w: [2, 3, 2, 2], grouped: false, attrs: attrs("2,2", "0,0", outputPadding: "1,1"), outputShape: nil),
        // Kernel = stride with pads: stored, fully covered.
        Case(x: [1, 2, 5, 5], w: [2, 3, 2, 2], grouped: false, attrs: attrs("2,2", "1,1", "0,1"), outputShape: nil),
        // Stride larger than the kernel: gaps between the taps.
        Case(x: [1, 3, 4, 4], w: [3, 2, 2, 2], grouped: false, attrs: attrs("3,3", "0,0"), outputShape: nil),
        // Overlapping taps: stride 2 with a 3x3 kernel, pads and output_padding.
        Case(x: [2, 5, 7, 9], w: [5, 3, 3, 3], grouped: false, attrs: attrs("2,2", "1,1", outputPadding: "1,1"), outputShape: nil),
        Case(x: [1, 4, 6, 6], w: [4, 6, 4, 4], grouped: false, attrs: attrs("2,2", "1,1"), outputShape: nil),
        // Dilation, asymmetric pads, non-square everything.
        Case(x: [1, 3, 6, 5], w: [3, 4, 3, 2], grouped: false, attrs: attrs("1,2", "1,0", "0,2", dil: "2,1"), outputShape: nil),
        Case(x: [1, 2, 5, 6], w: [2, 2, 2, 2], grouped: false, attrs: attrs("2,2", "0,0", dil: "2,2"), outputShape: nil), // taps collide
        // 1-D and 3-D.
        Case(x: [1, 4, 11], w: [4, 6, 4], grouped: false, attrs: attrs("3", "1", "2"), outputShape: nil),
        Case(x: [2, 3, 9], w: [3, 2, 2], grouped: false, attrs: attrs("2", "0"), outputShape: nil),
        Case(x: [1, 3, 4, 5, 3], w: [3, 2, 2, 3, 2], grouped: false, attrs: attrs("2,1,2", "0,1,0"), outputShape: nil),
        Case(x: [1, 2, 3, 3, 3], w: [2, 3, 2, 2, 2], grouped: false, attrs: attrs("2,2,2", "0,0,0"), outputShape: nil),
        // The output_shape input: auto_pad same_upper/same_lower split the total padding; explicit
        // pads and valid keep theirs.
        Case(x: [1, 4, 5, 5], w: [4, 3, 3, 3], grouped: false, attrs: attrs("2,2", "0,0", auto: "same_upper"), outputShape: [10, 10]),
        Case(x: [1, 4, 5, 6], w: [4, 3, 3, 3], grouped: false, attrs: attrs("2,2", "0,0", auto: "same_lower"), outputShape: [9, 11]),
        Case(x: [1, 3, 4, 4], w: [3, 2, 3, 3], grouped: false, attrs: attrs("2,2", "1,1"), outputShape: [8, 8]),
        Case(x: [1, 3, 4, 4], w: [3, 2, 3, 3], grouped: false, attrs: attrs("1,1", "0,0", auto: "valid"), outputShape: [6, 6]),
        Case(x: [1, 3, 7], w: [3, 2, 3], grouped: false, attrs: attrs("2", "0", auto: "same_upper"), outputShape: [14]),
        // Groups.
        Case(x: [2, 6, 5, 4], w: [3, 2, 4, 3, 3], grouped: true, attrs: attrs("2,2", "1,1"), outputShape: nil),
        Case(x: [1, 4, 6, 6], w: [4, 1, 1, 2, 2], grouped: true, attrs: attrs("2,2", "0,0"), outputShape: nil),
        Case(x: [1, 4, 9], w: [2, 2, 3, 3], grouped: true, attrs: attrs("1", "1", dil: "2"), outputShape: nil),
        // Several input-row tiles (tiles of 28 and of 10 rows of 64), overlapping across tile boundaries, and
        // output channels split across threads.
        Case(x: [1, 8, 40, 64], w: [8, 16, 3, 3], grouped: false, attrs: attrs("1,1", "1,1"), outputShape: nil),
        Case(x: [1, 8, 40, 64], w: [8, 96, 2, 2], grouped: false, attrs: attrs("2,2", "0,0"), outputShape: nil),
    ]

    @Test(arguments: cases)
    func deconvolution(_ c: Case) throws {
        let fanIn = (c.grouped ? c.w[1] : c.w[0]) * c.w.suffix(c.x.count - 2).reduce(1, *)
        let w = random(c.w, 11, 1 / Float(fanIn).squareRoot())
        let op = c.grouped ? "GroupConvolutionBackpropData" : "ConvolutionBackpropData"
        try FastKernelTests.differential(kernel: "blas.deconv", inputs: [random(c.x, 12, 1)]) { g, p in
            var ins = [p[0], g.constant(w)]
            if let s = c.outputShape { ins.append(g.constant(i64: s)) }
            return g.op(op, ins, c.attrs, version: "opset1", name: "target")
        }
    }

    /// Weights that are not constants (a second parameter) run the same kernel.
    @Test func weightsAsInput() throws {
        try FastKernelTests.differential(kernel: "blas.deconv",
                                         inputs: [random([2, 5, 6, 7], 13, 1), random([5, 4, 3, 3], 14, 0.3)]) { g, p in
            g.op("ConvolutionBackpropData", [p[0], p[1]], Self.attrs("2,2", "1,1", outputPadding: "1,0"), version: "opset1", name: "target")
        }
    }
}
