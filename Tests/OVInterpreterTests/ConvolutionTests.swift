import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for Convolution-1, GroupConvolution-1 and (Group)ConvolutionBackpropData-1.
@Suite("Convolution")
struct ConvolutionTests {
    let nine = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))

    private func conv(_ x: Tensor, _ w: Tensor, _ attrs: [String: String], type: String = "Convolution",
                      extra: [Tensor] = []) throws -> Tensor {
        let b = GraphBuilder()
        let p = b.parameter("x", x.elementType, x.shape)
        let y = b.op(type, [p, b.constant(w)] + extra.map { b.constant($0) }, attrs)
        b.result(y)
        return try run(b, [x])[0]
    }

    private func attrs(_ s: String, pads: String, dil: String? = nil, auto: String = "explicit") -> [String: String] {
        ["strides": s, "dilations": dil ?? s.split(separator: ",").map { _ in "1" }.joined(separator: ","),
         "pads_begin": pads, "pads_end": pads, "auto_pad": auto]
    }

    @Test func valid2x2() throws {
        let y = try conv(nine, Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 1] as [Float]), attrs("1,1", pads: "0,0"))
        expectFloats(y, [12, 16, 24, 28], shape: [1, 1, 2, 2])
    }

    @Test func paddedStrided3x3() throws {
        // Pads 1, stride 2: each output sums the 2x2 corner block inside the 3x3 window.
        let y = try conv(nine, Tensor(shape: [1, 1, 3, 3], scalars: [Float](repeating: 1, count: 9)), attrs("2,2", pads: "1,1"))
        expectFloats(y, [12, 16, 24, 28], shape: [1, 1, 2, 2])
    }

    @Test func dilated() throws {
        let y = try conv(nine, Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 1] as [Float]), attrs("1,1", pads: "0,0", dil: "2,2"))
        expectFloats(y, [1 + 3 + 7 + 9], shape: [1, 1, 1, 1])
    }

    @Test func twoOutputChannelsTwoInputs() throws {
        // in channels [1,2] and [3,4]; out0 = c0 + c1, out1 = c0 - c1 (1x1 kernel)
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4] as [Float])
        let w = Tensor(shape: [2, 2, 1, 1], scalars: [1, 1, 1, -1] as [Float])
        expectFloats(try conv(x, w, attrs("1,1", pads: "0,0")), [4, 6, -2, -2], shape: [1, 2, 1, 2])
    }

    @Test func sameUpperAndLower1D() throws {
        let x = Tensor(shape: [1, 1, 4], scalars: [1, 2, 3, 4] as [Float])
        let w = Tensor(shape: [1, 1, 3], scalars: [1, 1, 1] as [Float])
        // out = ceil(4/2) = 2, total pad 1: same_upper pads the end, same_lower the beginning.
        expectFloats(try conv(x, w, attrs("2", pads: "0", auto: "same_upper")), [6, 7], shape: [1, 1, 2])
        expectFloats(try conv(x, w, attrs("2", pads: "0", auto: "same_lower")), [3, 9], shape: [1, 1, 2])
        expectFloats(try conv(x, w, attrs("1", pads: "5", auto: "valid")), [6, 9], shape: [1, 1, 2])
    }

    @Test func conv3D() throws {
        let x = Tensor(shape: [1, 1, 2, 2, 2], scalars: (1...8).map(Float.init))
        let w = Tensor(shape: [1, 1, 2, 2, 2], scalars: [Float](repeating: 1, count: 8))
        expectFloats(try conv(x, w, attrs("1,1,1", pads: "0,0,0")), [36], shape: [1, 1, 1, 1, 1])
    }

    @Test func depthwiseGroupConvolution() throws {
        let x = Tensor(shape: [1, 2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8] as [Float])
        let w = Tensor(shape: [2, 1, 1, 1, 1], scalars: [2, 3] as [Float])
        let y = try conv(x, w, attrs("1,1", pads: "0,0"), type: "GroupConvolution")
        expectFloats(y, [2, 4, 6, 8, 15, 18, 21, 24], shape: [1, 2, 2, 2])
    }

    @Test func backpropData() throws {
        let x = Tensor(shape: [1, 1, 2], scalars: [1, 2] as [Float])
        let w = Tensor(shape: [1, 1, 3], scalars: [1, 1, 1] as [Float])
        var a = attrs("2", pads: "0")
        expectFloats(try conv(x, w, a, type: "ConvolutionBackpropData"), [1, 1, 3, 2, 2], shape: [1, 1, 5])
        a["output_padding"] = "1"
        expectFloats(try conv(x, w, a, type: "ConvolutionBackpropData"), [1, 1, 3, 2, 2, 0], shape: [1, 1, 6])
        expectFloats(try conv(x, w, attrs("2", pads: "1"), type: "ConvolutionBackpropData"), [1, 3, 2], shape: [1, 1, 3])
        // output_shape 4 with same_upper: total padding 1, all at the end.
        let y = try conv(x, w, attrs("2", pads: "0", auto: "same_upper"), type: "ConvolutionBackpropData",
                         extra: [Tensor(shape: [1], scalars: [4] as [Int64])])
        expectFloats(y, [1, 1, 3, 2], shape: [1, 1, 4])
    }

    @Test func groupBackpropData() throws {
        // 2 groups, 1 in / 1 out channel each, 1-tap kernels 2 and 3, stride 2.
        let x = Tensor(shape: [1, 2, 2], scalars: [1, 2, 3, 4] as [Float])
        let w = Tensor(shape: [2, 1, 1, 1], scalars: [2, 3] as [Float])
        let y = try conv(x, w, attrs("2", pads: "0"), type: "GroupConvolutionBackpropData")
        expectFloats(y, [2, 0, 4, 9, 0, 12], shape: [1, 2, 3])
    }

    @Test func f16Input() throws {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map { Float16(Float($0)) })
        let w = Tensor(shape: [1, 1, 2, 2], scalars: [Float16](repeating: 1, count: 4))
        let y = try conv(x, w, attrs("1,1", pads: "0,0"))
        #expect(y.elementType == .f16)
        #expect(y.floatValues() == [12, 16, 24, 28])
    }

    @Test func channelMismatchIsAnError() throws {
        let b = GraphBuilder()
        let p = b.parameter("x", .f32, [1, 3, 4, 4])
        b.result(b.op("Convolution", [p, b.constant(Tensor(zeros: .f32, shape: [1, 2, 1, 1]))], attrs("1,1", pads: "0,0")))
        #expect(throws: OVIRError.self) { try CompiledModel(graph: b.graph) }
    }
}
