import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for MaxPool-1/8, AvgPool-1 and AdaptiveAvgPool/AdaptiveMaxPool-8.
@Suite("Pooling")
struct PoolingTests {
    private func pool(_ type: String, _ x: Tensor, _ attrs: [String: String], version: String = "opset8",
                      outputs: Int = 1, extra: [Tensor] = []) throws -> [Tensor] {
        let b = GraphBuilder()
        let p = b.parameter("x", x.elementType, x.shape)
        let n = b.node(type, [p] + extra.map { b.constant($0) }, attributes: attrs, version: version, outputs: outputs)
        for k in 0..<outputs { b.result(n.output(k)) }
        return try run(b, [x])
    }

    private func window(_ k: String, _ s: String, pads: String = "0", pe: String? = nil, rounding: String = "floor") -> [String: String] {
        ["kernel": k, "strides": s, "pads_begin": pads, "pads_end": pe ?? pads, "rounding_type": rounding, "auto_pad": "explicit"]
    }

    @Test func maxPool8WithIndices() throws {
        let x = Tensor(shape: [1, 1, 4, 4], scalars: (1...16).map(Float.init))
        var a = window("2,2", "2,2", pads: "0,0")
        a["dilations"] = "1,1"
        let out = try pool("MaxPool", x, a, outputs: 2)
        expectFloats(out[0], [6, 8, 14, 16], shape: [1, 1, 2, 2])
        expectInts(out[1], [5, 7, 13, 15], shape: [1, 1, 2, 2], type: .i64)
    }

    @Test func maxPoolIndexAxisAndType() throws {
        let x = Tensor(shape: [1, 2, 2, 2], scalars: (1...8).map(Float.init))
        var a = window("2,2", "1,1", pads: "0,0")
        a["index_element_type"] = "i32"
        expectInts(try pool("MaxPool", x, a, outputs: 2)[1], [3, 7], type: .i32)
        a["axis"] = "2"
        expectInts(try pool("MaxPool", x, a, outputs: 2)[1], [3, 3], type: .i32)
    }

    @Test func maxPoolIgnoresPadding() throws {
        let x = Tensor(shape: [1, 1, 3], scalars: [-1, -5, -2] as [Float])
        let y = try pool("MaxPool", x, window("2", "1", pads: "1"), version: "opset1")[0]
        expectFloats(y, [-1, -1, -2, -2], shape: [1, 1, 4])
    }

    @Test func maxPoolDilatedAndCeil() throws {
        let x = Tensor(shape: [1, 1, 5], scalars: [1, 2, 3, 4, 5] as [Float])
        expectFloats(try pool("MaxPool", x, window("2", "2", rounding: "ceil"), version: "opset1")[0], [2, 4, 5], shape: [1, 1, 3])
        var a = window("2", "1")
        a["dilations"] = "3"
        expectFloats(try pool("MaxPool", x, a, outputs: 2)[0], [4, 5], shape: [1, 1, 2])
    }

    @Test func maxPoolSameUpper() throws {
        let x = Tensor(shape: [1, 1, 3], scalars: [1, 3, 2] as [Float])
        var a = window("2", "1")
        a["auto_pad"] = "same_upper"
        expectFloats(try pool("MaxPool", x, a, version: "opset1")[0], [3, 3, 2], shape: [1, 1, 3])
    }

    @Test func avgPoolExcludePad() throws {
        let x = Tensor(shape: [1, 1, 3], scalars: [1, 2, 3] as [Float])
        var a = window("2", "1", pads: "1")
        a["exclude-pad"] = "true"
        expectFloats(try pool("AvgPool", x, a, version: "opset1")[0], [1, 1.5, 2.5, 3], shape: [1, 1, 4])
        a["exclude-pad"] = "false"
        expectFloats(try pool("AvgPool", x, a, version: "opset1")[0], [0.5, 1.5, 2.5, 1.5], shape: [1, 1, 4])
    }

    @Test func avgPoolCeil2D() throws {
        let x = Tensor(shape: [1, 1, 1, 5], scalars: [1, 2, 3, 4, 5] as [Float])
        var a = window("1,2", "1,2", pads: "0,0", rounding: "ceil")
        a["exclude-pad"] = "false"
        expectFloats(try pool("AvgPool", x, a, version: "opset1")[0], [1.5, 3.5, 5], shape: [1, 1, 1, 3])
    }

    @Test func adaptivePools() throws {
        let x = Tensor(shape: [1, 1, 5], scalars: [1, 2, 3, 4, 5] as [Float])
        let size = Tensor(shape: [1], scalars: [3] as [Int64])
        expectFloats(try pool("AdaptiveAvgPool", x, [:], extra: [size])[0], [1.5, 3, 4.5], shape: [1, 1, 3])
        let m = try pool("AdaptiveMaxPool", x, [:], outputs: 2, extra: [size])
        expectFloats(m[0], [2, 4, 5], shape: [1, 1, 3])
        expectInts(m[1], [1, 3, 4], type: .i64)
    }

    @Test func maxPoolU8() throws {
        let x = Tensor(shape: [1, 1, 4], scalars: [3, 250, 7, 9] as [UInt8])
        let y = try pool("MaxPool", x, window("2", "2"), version: "opset1")[0]
        expectInts(y, [250, 9], shape: [1, 1, 2], type: .u8)
    }
}
