import Testing
import OVInterpreter
import _TestSupport

private func op(_ type: String, _ inputs: [Tensor], _ attrs: [String: String] = [:], version: String = "opset13",
                outputs: Int = 1, params: Int = 1) throws -> [Tensor] {
    try runSingleOp(type, inputs, attrs, version: version, outputs: outputs, params: params)
}

@Suite struct SortingTests {
    @Test func topK() throws {
        let x = Tensor(shape: [2, 4], scalars: [Float(1), 3, 3, 2, 0, -1, 5, 5])
        let k2 = Tensor(scalar: Int64(2))
        let mx = try op("TopK", [x, k2], ["axis": "-1", "mode": "max", "sort": "value", "index_element_type": "i64"], version: "opset11", outputs: 2)
        expectFloats(mx[0], [3, 3, 5, 5], shape: [2, 2])
        expectInts(mx[1], [1, 2, 2, 3], type: .i64)
        let mn = try op("TopK", [x, k2], ["axis": "1", "mode": "min", "sort": "index"], version: "opset1", outputs: 2)
        expectFloats(mn[0], [1, 2, 0, -1])
        expectInts(mn[1], [0, 3, 0, 1], type: .i32)
        let col = try op("TopK", [x, Tensor(scalar: Int64(1))], ["axis": "0", "mode": "max", "sort": "value"], version: "opset3", outputs: 2)
        expectFloats(col[0], [1, 3, 5, 5], shape: [1, 4])
        expectInts(col[1], [0, 0, 1, 1])
        let ints = try op("TopK", [Tensor(shape: [3], scalars: [Int32(4), 9, 1]), Tensor(scalar: Int64(5))], ["axis": "0", "mode": "min", "sort": "value"],
                          version: "opset11", outputs: 2)
        expectInts(ints[0], [1, 4, 9], shape: [3], type: .i32)
    }

    @Test func nonMaxSuppression() throws {
        // Three boxes: 0 and 1 overlap heavily, 2 is apart.
        let boxes = Tensor(shape: [1, 3, 4], scalars: [Float(0), 0, 1, 1, 0, 0.1, 1, 1.1, 0, 10, 1, 11])
        let scores = Tensor(shape: [1, 1, 3], scalars: [Float(0.9), 0.95, 0.3])
        let out = try op("NonMaxSuppression", [boxes, scores, Tensor(shape: [1], scalars: [Int64(3)]), Tensor(shape: [1], scalars: [Float(0.5)]),
                                              Tensor(shape: [1], scalars: [Float(0)])],
                         ["box_encoding": "corner", "sort_result_descending": "false"], version: "opset9", outputs: 3, params: 2)
        expectInts(out[0], [0, 0, 1, 0, 0, 2], shape: [2, 3])
        expectFloats(out[1], [0, 0, 0.95, 0, 0, 0.3], shape: [2, 3])
        expectInts(out[2], [2], shape: [1])
        let limited = try op("NonMaxSuppression", [boxes, scores, Tensor(shape: [1], scalars: [Int64(1)])], [:], version: "opset9", outputs: 3, params: 2)
        expectInts(limited[0], [0, 0, 1], shape: [1, 3])
    }
}
