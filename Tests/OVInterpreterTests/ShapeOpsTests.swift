import Testing
import OVInterpreter
import _TestSupport

private func op(_ type: String, _ inputs: [Tensor], _ attrs: [String: String] = [:], version: String = "opset13",
                outputs: Int = 1, params: Int = 1) throws -> [Tensor] {
    try runSingleOp(type, inputs, attrs, version: version, outputs: outputs, params: params)
}

private func f32(_ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0) }) }
private func i64(_ v: [Int64], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [v.count], scalars: v) }
private func i32(_ v: [Int32], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [v.count], scalars: v) }

@Suite struct ShapeOpsTests {
    @Test func shapeOf() throws {
        expectInts(try op("ShapeOf", [f32([2, 0, 3])], version: "opset1")[0], [2, 0, 3], shape: [3], type: .i64)
        expectInts(try op("ShapeOf", [f32([])], ["output_type": "i32"], version: "opset3")[0], [], shape: [0], type: .i32)
    }

    @Test func shapeOfFoldsAtCompileTime() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [2, 3])
        let s = b.op("ShapeOf", [x], version: "opset3")
        b.result(b.op("Reshape", [x, b.op("Gather", [s, b.constant(i64([1, 0])), b.constant(i64([0], []))], version: "opset8")],
                      ["special_zero": "false"], version: "opset1"))
        let m = try CompiledModel(graph: b.graph)
        #expect(m.outputs[0].shape == PartialShape(static: [3, 2]))
        expectFloats(try m.infer([f32([2, 3])])[0], [0, 1, 2, 3, 4, 5], shape: [3, 2])
    }

    @Test func reshape() throws {
        expectFloats(try op("Reshape", [f32([2, 3, 2]), i64([0, -1])], ["special_zero": "true"], version: "opset1")[0],
                     (0..<12).map(Float.init), shape: [2, 6])
        expectFloats(try op("Reshape", [f32([4]), i64([-1, 2])], ["special_zero": "false"], version: "opset1")[0], [0, 1, 2, 3], shape: [2, 2])
        expectFloats(try op("Reshape", [f32([1]), i64([], [0])], ["special_zero": "false"], version: "opset1")[0], [0], shape: [])
        expectFloats(try op("Reshape", [f32([0, 3]), i64([3, -1])], ["special_zero": "false"], version: "opset1")[0], [], shape: [3, 0])
        #expect(throws: OVIRError.self) { try op("Reshape", [f32([4]), i64([3])], ["special_zero": "false"], version: "opset1") }
    }

    @Test func squeezeUnsqueeze() throws {
        #expect(try op("Squeeze", [f32([1, 2, 1, 3])], version: "opset1")[0].shape == [2, 3])
        #expect(try op("Squeeze", [f32([1, 2, 1, 3]), i64([-2])], version: "opset1")[0].shape == [1, 2, 3])
        #expect(throws: OVIRError.self) { try op("Squeeze", [f32([1, 2]), i64([1])], version: "opset1") }
        #expect(try op("Squeeze", [f32([1, 2]), i64([0, 1])], ["allow_axis_skip": "true"], version: "opset15")[0].shape == [2])
        #expect(try op("Unsqueeze", [f32([2, 3]), i64([0, -1])], version: "opset1")[0].shape == [1, 2, 3, 1])
        let u = try op("Unsqueeze", [Tensor(scalar: Int32(7)), i64([0])], version: "opset1")[0]
        expectInts(u, [7], shape: [1], type: .i32)
    }

    @Test func transpose() throws {
        expectFloats(try op("Transpose", [f32([2, 3]), i64([1, 0])], version: "opset1")[0], [0, 3, 1, 4, 2, 5], shape: [3, 2])
        expectFloats(try op("Transpose", [f32([2, 1, 2]), i64([])], version: "opset1")[0], [0, 2, 1, 3], shape: [2, 1, 2])
        let b = try op("Transpose", [Tensor(shape: [2, 2], scalars: [true, false, true, true]), i32([1, 0])], version: "opset1")[0]
        expectInts(b, [1, 1, 0, 1], shape: [2, 2], type: .boolean)
    }

    @Test func concat() throws {
        let out = try op("Concat", [f32([2, 1]), f32([2, 2]), f32([2, 0])], ["axis": "-1"], version: "opset1", params: 3)[0]
        expectFloats(out, [0, 0, 1, 1, 2, 3], shape: [2, 3])
        expectInts(try op("Concat", [i64([1, 2]), i64([3])], ["axis": "0"], version: "opset1", params: 2)[0], [1, 2, 3])
    }

    @Test func splits() throws {
        let s = try op("Split", [f32([2, 4]), i64([-1], [])], ["num_splits": "2"], version: "opset1", outputs: 2)
        expectFloats(s[0], [0, 1, 4, 5], shape: [2, 2])
        expectFloats(s[1], [2, 3, 6, 7], shape: [2, 2])
        let v = try op("VariadicSplit", [f32([5]), i64([0], []), i64([1, -1, 0])], version: "opset1", outputs: 3)
        expectFloats(v[0], [0], shape: [1])
        expectFloats(v[1], [1, 2, 3, 4], shape: [4])
        expectFloats(v[2], [], shape: [0])
    }

    @Test func stridedSlice() throws {
        // x[1:, ::-1] on a 3x4
        let a = try op("StridedSlice", [f32([3, 4]), i64([1, 0]), i64([0, 0]), i64([1, -1])],
                       ["begin_mask": "0,1", "end_mask": "1,1", "new_axis_mask": "", "shrink_axis_mask": "", "ellipsis_mask": ""], version: "opset1")[0]
        expectFloats(a, [7, 6, 5, 4, 11, 10, 9, 8], shape: [2, 4])
        // x[..., 1] with shrink, and a new axis in front
        let b = try op("StridedSlice", [f32([2, 3]), i64([0, 0, 1]), i64([0, 0, 2]), i64([1, 1, 1])],
                       ["begin_mask": "0,0,0", "end_mask": "0,0,0", "new_axis_mask": "1,0,0", "shrink_axis_mask": "0,0,1", "ellipsis_mask": "0,1,0"], version: "opset1")[0]
        expectFloats(b, [1, 4], shape: [1, 2])
    }

    @Test func slice() throws {
        expectFloats(try op("Slice", [f32([6]), i64([-1]), i64([Int64.min]), i64([-2])], version: "opset8")[0], [5, 3, 1], shape: [3])
        expectFloats(try op("Slice", [f32([2, 3]), i64([1]), i64([100]), i64([1]), i64([-1])], version: "opset8")[0], [1, 2, 4, 5], shape: [2, 2])
        expectFloats(try op("Slice", [f32([4]), i64([3]), i64([1]), i64([1])], version: "opset8")[0], [], shape: [0])
    }

    @Test func tileAndBroadcast() throws {
        expectFloats(try op("Tile", [f32([2]), i64([2, 2])], version: "opset1")[0], [0, 1, 0, 1, 0, 1, 0, 1], shape: [2, 4])
        expectFloats(try op("Tile", [f32([2, 1]), i64([2])], version: "opset1")[0], [0, 0, 1, 1], shape: [2, 2])
        expectFloats(try op("Broadcast", [f32([3]), i64([2, 3])], version: "opset3")[0], [0, 1, 2, 0, 1, 2], shape: [2, 3])
        expectFloats(try op("Broadcast", [f32([2, 1]), i64([1, 3])], ["mode": "bidirectional"], version: "opset3")[0],
                     [0, 0, 0, 1, 1, 1], shape: [2, 3])
        expectFloats(try op("Broadcast", [f32([2]), i64([2, 3]), i64([0])], ["mode": "explicit"], version: "opset3")[0],
                     [0, 0, 0, 1, 1, 1], shape: [2, 3])
        expectInts(try op("Broadcast", [Tensor(scalar: Int64(5)), i64([0, 2])], version: "opset3")[0], [], shape: [0, 2])
    }

    @Test func range() throws {
        expectInts(try op("Range", [i64([2], []), i64([11], []), i64([3], [])], version: "opset1", params: 0)[0], [2, 5, 8])
        expectFloats(try op("Range", [Tensor(scalar: Float(1)), Tensor(scalar: Float(0)), Tensor(scalar: Float(-0.25))],
                            ["output_type": "f32"], version: "opset4", params: 0)[0], [1, 0.75, 0.5, 0.25])
        expectInts(try op("Range", [Tensor(scalar: Float(1.9)), Tensor(scalar: Float(5)), Tensor(scalar: Float(2))],
                          ["output_type": "i32"], version: "opset4", params: 0)[0], [1, 3], type: .i32)
        expectInts(try op("Range", [i64([5], []), i64([1], []), i64([1], [])], version: "opset1", params: 0)[0], [], shape: [0])
    }

    @Test func pad() throws {
        let x = f32([2, 3]) // [[0 1 2] [3 4 5]]
        expectFloats(try op("Pad", [x, i64([0, 1]), i64([1, 0]), Tensor(scalar: Float(9))], ["pad_mode": "constant"], version: "opset12")[0],
                     [9, 0, 1, 2, 9, 3, 4, 5, 9, 9, 9, 9], shape: [3, 4])
        expectFloats(try op("Pad", [x, i64([0, 2]), i64([0, 1])], ["pad_mode": "reflect"], version: "opset1")[0],
                     [2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4], shape: [2, 6])
        expectFloats(try op("Pad", [x, i64([0, 2]), i64([0, 1])], ["pad_mode": "symmetric"], version: "opset1")[0],
                     [1, 0, 0, 1, 2, 2, 4, 3, 3, 4, 5, 5], shape: [2, 6])
        expectFloats(try op("Pad", [x, i64([1, 0]), i64([0, 1])], ["pad_mode": "edge"], version: "opset1")[0],
                     [0, 1, 2, 2, 0, 1, 2, 2, 3, 4, 5, 5], shape: [3, 4])
        expectFloats(try op("Pad", [x, i64([0, -1]), i64([0, 1])], ["pad_mode": "constant"], version: "opset12")[0],
                     [1, 2, 0, 4, 5, 0], shape: [2, 3])
    }

    /// Non-constant pads over 2-D and 4-D data: every element against the mode's index rule applied
    /// element by element (rows are copied as runs: the middle in one piece, reflected or repeated
    /// elements one by one), pads wider than the axis, negative pads (Pad-12), 1/2/4/8-byte types.
    @Test(arguments: ["edge", "reflect", "symmetric"])
    func padModesElementwise(_ mode: String) throws {
        func sourceIndex(_ i: Int, _ n: Int) -> Int {
            switch mode {
            case "edge": return min(max(i, 0), n - 1)
            case "reflect":
                if n == 1 { return 0 }
                var j = i
                while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
                return j
            default:
                var j = i
                while j < 0 || j >= n { j = j < 0 ? -j - 1 : 2 * n - 1 - j }
                return j
            }
        }
        let cases: [([Int], [Int], [Int])] = [
            ([3, 5], [1, 2], [2, 3]), ([2, 3, 6, 7], [0, 0, 4, 4], [0, 0, 4, 4]), ([1, 2, 4, 3], [0, 1, 7, 5], [0, 0, 2, 6]),
            ([2, 1, 5, 9], [0, 0, -1, 2], [0, 0, 1, -3]), ([1, 1, 1, 4], [0, 0, 2, 0], [0, 0, 1, 1]),
        ]
        for (shape, pb, pe) in cases {
            let outShape = zip(shape, zip(pb, pe)).map { $0 + $1.0 + $1.1 }
            let n = shape.reduce(1, *), m = outShape.reduce(1, *)
            var expected = [Int](repeating: 0, count: m)
            for o in 0..<m {
                var rest = o, src = 0, stride = 1
                for k in (0..<shape.count).reversed() {
                    let i = rest % outShape[k]
                    rest /= outShape[k]
                    src += sourceIndex(i - pb[k], shape[k]) * stride
                    stride *= shape[k]
                }
                expected[o] = src
            }
            let begin = i64(pb.map(Int64.init)), end = i64(pe.map(Int64.init))
            let got32 = try op("Pad", [Tensor(shape: shape, scalars: (0..<n).map { Float($0) }), begin, end], ["pad_mode": mode], version: "opset12")[0]
            #expect(got32.shape == outShape && got32.floatValues() == expected.map { Float($0) }, "f32 \(shape) \(pb) \(pe)")
            let got64 = try op("Pad", [Tensor(shape: shape, scalars: (0..<n).map { Int64($0) }), begin, end], ["pad_mode": mode], version: "opset12")[0]
            #expect(try got64.scalars(as: Int64.self) == expected.map { Int64($0) }, "i64 \(shape) \(pb) \(pe)")
            let got8 = try op("Pad", [Tensor(shape: shape, scalars: (0..<n).map { Int8(truncatingIfNeeded: $0) }), begin, end],
                              ["pad_mode": mode], version: "opset12")[0]
            #expect(try got8.scalars(as: Int8.self) == expected.map { Int8(truncatingIfNeeded: $0) }, "i8 \(shape) \(pb) \(pe)")
            let got16 = try op("Pad", [Tensor(shape: shape, scalars: (0..<n).map { Int16($0) }), begin, end], ["pad_mode": mode], version: "opset12")[0]
            #expect(try got16.scalars(as: Int16.self) == expected.map { Int16($0) }, "i16 \(shape) \(pb) \(pe)")
        }
    }

    @Test func reverseAndSequences() throws {
        expectFloats(try op("Reverse", [f32([2, 2]), i64([1])], ["mode": "index"], version: "opset1")[0], [1, 0, 3, 2])
        expectFloats(try op("Reverse", [f32([2, 2]), Tensor(shape: [2], scalars: [true, true])], ["mode": "mask"], version: "opset1")[0], [3, 2, 1, 0])
        // batch_axis 0, seq_axis 1: rows reversed in their first len elements
        expectFloats(try op("ReverseSequence", [f32([2, 3]), i64([2, 3])], ["batch_axis": "0", "seq_axis": "1"], version: "opset1")[0],
                     [1, 0, 2, 5, 4, 3])
    }

    @Test func depthSpace() throws {
        let x = f32([1, 4, 1, 1])
        expectFloats(try op("DepthToSpace", [x], ["mode": "blocks_first", "block_size": "2"], version: "opset1")[0], [0, 1, 2, 3], shape: [1, 1, 2, 2])
        let y = f32([1, 4, 1, 2])
        // depth_first: channel c*4 + (i*2 + j)
        expectFloats(try op("DepthToSpace", [y], ["mode": "depth_first", "block_size": "2"], version: "opset1")[0],
                     [0, 2, 1, 3, 4, 6, 5, 7], shape: [1, 1, 2, 4])
        let z = f32([1, 1, 2, 2])
        expectFloats(try op("SpaceToDepth", [z], ["mode": "blocks_first", "block_size": "2"], version: "opset1")[0], [0, 1, 2, 3], shape: [1, 4, 1, 1])
    }

    @Test func eyeAndOneHot() throws {
        expectFloats(try op("Eye", [i64([2], []), i64([3], []), i64([1], [])], ["output_type": "f32"], version: "opset9", params: 0)[0],
                     [0, 1, 0, 0, 0, 1], shape: [2, 3])
        let oh = try op("OneHot", [i64([1, 3, -1]), i64([3], []), Tensor(scalar: Float(5)), Tensor(scalar: Float(-1))], ["axis": "0"], version: "opset1")[0]
        expectFloats(oh, [-1, -1, -1, 5, -1, -1, -1, -1, -1], shape: [3, 3])
    }

    @Test func dynamicShapesResolveAtRunTime() throws {
        // Reshape's target and Broadcast's target come from a Parameter; NonZero's output feeds Transpose.
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [2, 3])
        let shape = b.parameter("shape", .i64, [2])
        b.result(b.op("Reshape", [x, shape], ["special_zero": "false"], version: "opset1"))
        let nz = b.op("NonZero", [x], version: "opset3")
        b.result(b.op("Transpose", [nz, b.constant(i64([1, 0]))], version: "opset1"))
        let outs = try run(b, [f32([2, 3]), i64([3, -1])])
        expectFloats(outs[0], [0, 1, 2, 3, 4, 5], shape: [3, 2])
        expectInts(outs[1], [0, 1, 0, 2, 1, 0, 1, 1, 1, 2], shape: [5, 2])
    }
}
