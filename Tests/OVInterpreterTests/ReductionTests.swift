import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for ReduceSum/Mean/Max/Min/Prod-1, ReduceL1/L2-4 and ReduceLogicalAnd/Or-1.
@Suite("Reduction")
struct ReductionTests {
    let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float])

    private func reduce(_ type: String, _ x: Tensor, _ axes: [Int64], keepDims: Bool = false) throws -> Tensor {
        let b = GraphBuilder()
        let p = b.parameter("x", x.elementType, x.shape)
        b.result(b.op(type, [p, b.constant(i64: axes)], ["keep_dims": "\(keepDims)"], version: "opset4"))
        return try run(b, [x])[0]
    }

    @Test func sumOverAxes() throws {
        expectFloats(try reduce("ReduceSum", x, [1]), [6, 15], shape: [2])
        expectFloats(try reduce("ReduceSum", x, [1], keepDims: true), [6, 15], shape: [2, 1])
        expectFloats(try reduce("ReduceSum", x, [-2]), [5, 7, 9], shape: [3])
    }

    @Test func meanMaxMinProd() throws {
        expectFloats(try reduce("ReduceMean", x, [0, 1]), [3.5], shape: [])
        expectFloats(try reduce("ReduceMax", x, [1]), [3, 6], shape: [2])
        expectFloats(try reduce("ReduceMin", x, [0], keepDims: true), [1, 2, 3], shape: [1, 3])
        expectFloats(try reduce("ReduceProd", x, [1]), [6, 120], shape: [2])
    }

    @Test func norms() throws {
        let v = Tensor(shape: [2], scalars: [-3, 4] as [Float])
        expectFloats(try reduce("ReduceL1", v, [0]), [7], shape: [])
        expectFloats(try reduce("ReduceL2", v, [0], keepDims: true), [5], shape: [1])
    }

    @Test func logical() throws {
        let v = Tensor(shape: [2, 2], scalars: [true, false, true, true])
        expectInts(try reduce("ReduceLogicalAnd", v, [1]), [0, 1], shape: [2], type: .boolean)
        expectInts(try reduce("ReduceLogicalOr", v, [1]), [1, 1], shape: [2], type: .boolean)
    }

    @Test func emptyAxesReduceNothing() throws {
        expectFloats(try reduce("ReduceSum", x, []), [1, 2, 3, 4, 5, 6], shape: [2, 3])
        expectFloats(try reduce("ReduceMean", x, [], keepDims: true), [1, 2, 3, 4, 5, 6], shape: [2, 3])
    }

    @Test func emptyInputGivesIdentity() throws {
        let e = Tensor(zeros: .f32, shape: [0, 3])
        expectFloats(try reduce("ReduceSum", e, [0]), [0, 0, 0], shape: [3])
        expectFloats(try reduce("ReduceProd", e, [0]), [1, 1, 1], shape: [3])
    }

    @Test func integers() throws {
        let v = Tensor(shape: [3], scalars: [1, 2, 4] as [Int32])
        expectInts(try reduce("ReduceSum", v, [0]), [7], shape: [], type: .i32)
        expectInts(try reduce("ReduceMean", v, [0]), [2], shape: [], type: .i32)
        expectInts(try reduce("ReduceMax", v, [0]), [4], type: .i32)
    }

    @Test func f64IsReducedAndKeepsItsType() throws {
        let v = Tensor(shape: [2], scalars: [0.5, 0.25] as [Double])
        let y = try reduce("ReduceSum", v, [0])
        #expect(y.elementType == .f64)
        #expect(y.doubleValues() == [0.75])
    }

    @Test func axisOutOfRangeIsAnError() throws {
        #expect(throws: OVIRError.self) { try reduce("ReduceSum", x, [2]) }
    }
}
