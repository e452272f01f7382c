import Testing
import OVInterpreter
import _TestSupport

private func op(_ type: String, _ inputs: [Tensor], _ attrs: [String: String] = [:], version: String = "opset13",
                outputs: Int = 1, params: Int = 1) throws -> [Tensor] {
    try runSingleOp(type, inputs, attrs, version: version, outputs: outputs, params: params)
}

private func f32(_ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0) }) }
private func i64(_ v: [Int64], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [v.count], scalars: v) }

@Suite struct IndexingTests {
    @Test func gather() throws {
        expectFloats(try op("Gather", [f32([3, 2]), i64([2, -1, 0]), i64([0], [])], version: "opset8")[0], [4, 5, 4, 5, 0, 1], shape: [3, 2])
        expectFloats(try op("Gather", [f32([2, 3]), i64([1], []), i64([-1], [])], version: "opset8")[0], [1, 4], shape: [2])
        // batch_dims 1: per row its own indices
        expectFloats(try op("Gather", [f32([2, 3]), i64([2, 0, 1, 1], [2, 2]), i64([1], [])], ["batch_dims": "1"], version: "opset8")[0],
                     [2, 0, 4, 4], shape: [2, 2])
        // out of range gives zeros (Gather-8)
        expectFloats(try op("Gather", [f32([2]), i64([5]), i64([0], [])], version: "opset8")[0], [0])
        expectInts(try op("Gather", [i64([7, 8, 9]), i64([], [0]), i64([0], [])], version: "opset8")[0], [], shape: [0])
    }

    @Test func gatherElementsAndND() throws {
        expectFloats(try op("GatherElements", [f32([2, 2]), i64([0, 0, 1, 0], [2, 2])], ["axis": "1"], version: "opset6")[0], [0, 0, 3, 2])
        expectFloats(try op("GatherElements", [f32([2, 2]), i64([-1, 0], [1, 2])], ["axis": "0"], version: "opset6")[0], [2, 1], shape: [1, 2])
        expectFloats(try op("GatherND", [f32([2, 2]), i64([1, 0, 0, 1], [2, 2])], version: "opset8")[0], [2, 1], shape: [2])
        expectFloats(try op("GatherND", [f32([2, 2]), i64([1, 0], [2, 1])], version: "opset8")[0], [2, 3, 0, 1], shape: [2, 2])
        expectFloats(try op("GatherND", [f32([2, 2]), i64([1, 0], [2, 1])], ["batch_dims": "1"], version: "opset8")[0], [1, 2], shape: [2])
    }

    @Test func scatterElements() throws {
        let data = Tensor(shape: [3], scalars: [Float](repeating: 1, count: 3))
        let idx = i64([0, 2, 0]), upd = Tensor(shape: [3], scalars: [Float(2), 3, 4])
        expectFloats(try op("ScatterElementsUpdate", [data, idx, upd, i64([0], [])], version: "opset3")[0], [4, 1, 3])
        expectFloats(try op("ScatterElementsUpdate", [data, idx, upd, i64([0], [])], ["reduction": "sum"], version: "opset12")[0], [7, 1, 4])
        expectFloats(try op("ScatterElementsUpdate", [data, idx, upd, i64([0], [])], ["reduction": "prod", "use_init_val": "false"], version: "opset12")[0], [8, 1, 3])
        expectFloats(try op("ScatterElementsUpdate", [data, idx, upd, i64([-1], [])], ["reduction": "mean"], version: "opset12")[0], [7.0 / 3, 1, 2])
        expectFloats(try op("ScatterElementsUpdate", [data, idx, upd, i64([0], [])], ["reduction": "max", "use_init_val": "false"], version: "opset12")[0], [4, 1, 3])
        let ints = try op("ScatterElementsUpdate", [i64([5, 5, 5, 5], [2, 2]), i64([1, 0], [1, 2]), i64([1, 2], [1, 2]), i64([1], [])],
                          ["reduction": "min"], version: "opset12")[0]
        expectInts(ints, [2, 1, 5, 5])
    }

    @Test func scatterNDAndUpdate() throws {
        expectFloats(try op("ScatterNDUpdate", [f32([2, 2]), i64([1], [1, 1]), Tensor(shape: [1, 2], scalars: [Float(8), 9])], version: "opset4")[0], [0, 1, 8, 9])
        expectFloats(try op("ScatterNDUpdate", [f32([2, 2]), i64([0, 1, 0, 1], [2, 2]), Tensor(shape: [2], scalars: [Float(8), 9])],
                            ["reduction": "sum"], version: "opset15")[0], [0, 18, 2, 3])
        expectFloats(try op("ScatterUpdate", [f32([2, 3]), i64([2, 0]), Tensor(shape: [2, 2], scalars: [Float(7), 8, 9, 10]), i64([1], [])], version: "opset3")[0],
                     [8, 1, 7, 10, 4, 9])
    }

    @Test func nonZero() throws {
        let x = Tensor(shape: [2, 2], scalars: [Float(0), 3, -0.0, Float.nan])
        expectInts(try op("NonZero", [x], version: "opset3")[0], [0, 1, 1, 1], shape: [2, 2], type: .i64)
        let b = Tensor(shape: [3], scalars: [false, true, true])
        expectInts(try op("NonZero", [b], ["output_type": "i32"], version: "opset3")[0], [1, 2], shape: [1, 2], type: .i32)
        expectInts(try op("NonZero", [Tensor(zeros: .i32, shape: [2, 0])], version: "opset3")[0], [], shape: [2, 0])
    }

    @Test func unique() throws {
        let x = Tensor(shape: [5], scalars: [Float(3), 1, 3, 2, 1])
        let s = try op("Unique", [x], ["sorted": "true"], version: "opset10", outputs: 4)
        expectFloats(s[0], [1, 2, 3])
        expectInts(s[1], [1, 3, 0])
        expectInts(s[2], [2, 0, 2, 1, 0])
        expectInts(s[3], [2, 1, 2])
        let u = try op("Unique", [x], ["sorted": "false", "index_element_type": "i32"], version: "opset10", outputs: 4)
        expectFloats(u[0], [3, 1, 2])
        expectInts(u[1], [0, 1, 3], type: .i32)
        expectInts(u[2], [0, 1, 0, 2, 1])
        let rows = try op("Unique", [Tensor(shape: [3, 2], scalars: [Int64(2), 1, 0, 5, 2, 1]), i64([0], [])], version: "opset10", outputs: 4, params: 1)
        expectInts(rows[0], [0, 5, 2, 1], shape: [2, 2])
        expectInts(rows[3], [1, 2])
    }

    @Test func cumSum() throws {
        expectFloats(try op("CumSum", [f32([2, 3]), i64([1], [])], version: "opset3")[0], [0, 1, 3, 3, 7, 12])
        expectFloats(try op("CumSum", [f32([3]), i64([0], [])], ["exclusive": "true", "reverse": "true"], version: "opset3")[0], [3, 2, 0])
        expectInts(try op("CumSum", [Tensor(shape: [3], scalars: [Int32(1), 2, 3])], version: "opset3")[0], [1, 3, 6], type: .i32)
    }
}
