import Foundation
import Testing
import OVInterpreter
import _TestSupport

/// Runs one op on tensors fed as Parameters; returns its first output.
func runOp(_ type: String, _ inputs: [Tensor], _ attributes: [String: String] = [:], version: String = "opset13") throws -> Tensor {
    let b = GraphBuilder()
    let ps = inputs.enumerated().map { b.parameter("in\($0.offset)", $0.element.elementType, $0.element.shape) }
    b.result(b.op(type, ps, attributes, version: version))
    return try run(b, inputs)[0]
}

func f32(_ v: [Float], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [v.count], scalars: v) }

/// Hand-checked cases for the binary arithmetic ops (Add-1 … SquaredDifference-1).
@Suite("Elementwise arithmetic")
struct ElementwiseArithmeticTests {
    @Test func sameShape() throws {
        let a = f32([1, 2, 3, 4], [2, 2]), b = f32([10, 20, 30, 40], [2, 2])
        expectFloats(try runOp("Add", [a, b]), [11, 22, 33, 44], shape: [2, 2])
        expectFloats(try runOp("Subtract", [a, b]), [-9, -18, -27, -36])
        expectFloats(try runOp("Multiply", [a, b]), [10, 40, 90, 160])
        expectFloats(try runOp("Divide", [b, a]), [10, 10, 10, 10])
        expectFloats(try runOp("SquaredDifference", [a, b]), [81, 324, 729, 1296])
        expectFloats(try runOp("Power", [a, f32([2, 0.5, -1, 0], [2, 2])]), [1, Float(2).squareRoot(), 1.0 / 3, 1])
    }

    @Test func numpyBroadcast() throws {
        // [2,1,3] + [2,1] → [2,2,3]
        let a = f32([0, 1, 2, 10, 11, 12], [2, 1, 3]), b = f32([100, 200], [2, 1])
        expectFloats(try runOp("Add", [a, b]), [100, 101, 102, 200, 201, 202, 110, 111, 112, 210, 211, 212], shape: [2, 2, 3])
        // scalar on either side
        expectFloats(try runOp("Subtract", [f32([5], []), f32([1, 2, 3])]), [4, 3, 2], shape: [3])
        expectFloats(try runOp("Maximum", [f32([1, 5, 3]), f32([2], [])]), [2, 5, 3], shape: [3])
        expectFloats(try runOp("Multiply", [f32([3], []), f32([4], [])]), [12], shape: [])
    }

    @Test func pdpdAndNoneBroadcast() throws {
        let a = f32([1, 2, 3, 4, 5, 6], [2, 3]), b = f32([10, 20], [2])
        expectFloats(try runOp("Add", [a, b], ["auto_broadcast": "pdpd", "axis": "0"]), [11, 12, 13, 24, 25, 26], shape: [2, 3])
        #expect(throws: OVIRError.self) { try runOp("Add", [a, f32([1, 2, 3])], ["auto_broadcast": "none"]) }
        #expect(throws: OVIRError.self) { try runOp("Add", [a, f32([1, 2])]) }
    }

    @Test func floorModAndMod() throws {
        let a = f32([-7, 7, -7, 7, 5.5]), b = f32([3, -3, -3, 3, 2])
        expectFloats(try runOp("FloorMod", [a, b]), [2, -2, -1, 1, 1.5])
        expectFloats(try runOp("Mod", [a, b]), [-1, 1, -1, 1, 1.5])
        let ia = Tensor(shape: [4], scalars: [-7, 7, -7, 7] as [Int32]), ib = Tensor(shape: [4], scalars: [3, -3, -3, 3] as [Int32])
        expectInts(try runOp("FloorMod", [ia, ib]), [2, -2, -1, 1], type: .i32)
        expectInts(try runOp("Mod", [ia, ib]), [-1, 1, -1, 1], type: .i32)
    }

    @Test func integerDivision() throws {
        let a = Tensor(shape: [4], scalars: [7, -7, 7, -8] as [Int64]), b = Tensor(shape: [4], scalars: [2, 2, -2, 4] as [Int64])
        expectInts(try runOp("Divide", [a, b]), [3, -4, -4, -2], type: .i64)
        expectInts(try runOp("Divide", [a, b], ["m_pythondiv": "false"]), [3, -3, -3, -2])
        expectInts(try runOp("Divide", [a, Tensor(shape: [4], scalars: [0, 0, 0, 0] as [Int64])]), [0, 0, 0, 0])
        // float division ignores m_pythondiv
        expectFloats(try runOp("Divide", [f32([7, -7]), f32([2, 2])], ["m_pythondiv": "true"]), [3.5, -3.5])
    }

    @Test func smallIntegersSaturateLikeTheCPUPlugin() throws {
        let a = Tensor(shape: [3], scalars: [200, 100, 5] as [UInt8]), b = Tensor(shape: [3], scalars: [100, 200, 10] as [UInt8])
        expectInts(try runOp("Add", [a, b]), [255, 255, 15], type: .u8)
        expectInts(try runOp("Subtract", [a, b]), [100, 0, 0], type: .u8)
        expectInts(try runOp("Multiply", [a, b]), [255, 255, 50], type: .u8)
        let c = Tensor(shape: [2], scalars: [100, -100] as [Int8])
        expectInts(try runOp("Add", [c, c]), [127, -128], type: .i8)
        expectInts(try runOp("Power", [Tensor(shape: [3], scalars: [2, 2, 3] as [UInt8]), Tensor(shape: [3], scalars: [3, 9, 2] as [UInt8])]), [8, 255, 9])
    }

    @Test func wideIntegersWrap() throws {
        let a = Tensor(shape: [2], scalars: [Int32.max, 3] as [Int32]), b = Tensor(shape: [2], scalars: [1, 4] as [Int32])
        expectInts(try runOp("Add", [a, b]), [Int64(Int32.min), 7], type: .i32)
        let p = try runOp("Power", [Tensor(shape: [3], scalars: [2, 3, 2] as [Int64]), Tensor(shape: [3], scalars: [10, 3, -1] as [Int64])])
        expectInts(p, [1024, 27, 0], type: .i64)
        let u = Tensor(shape: [2], scalars: [UInt64.max, 1] as [UInt64])
        expectInts(try runOp("Maximum", [u, Tensor(shape: [2], scalars: [1, 2] as [UInt64])]), [-1, 2], type: .u64)  // bit pattern of UInt64.max
    }

    @Test func nanAndInfinity() throws {
        let nan = Float.nan, inf = Float.infinity
        let y = try runOp("Add", [f32([nan, inf, -inf, 1]), f32([1, 1, inf, inf])])
        let v = y.floatValues()
        #expect(v[0].isNaN && v[1] == inf && v[2].isNaN && v[3] == inf)
        #expect(try runOp("Divide", [f32([1, -1]), f32([0, 0])]).floatValues() == [inf, -inf])
        // Maximum/Minimum return the second operand when either is NaN (x86 maxps/minps).
        let m = try runOp("Maximum", [f32([nan, 1]), f32([2, nan])]).floatValues()
        #expect(m[0] == 2 && m[1].isNaN)
    }

    @Test func halfPrecisionComputesInF32() throws {
        let a = Tensor(shape: [2], scalars: [Float16(1), Float16(2048)])
        let b = Tensor(shape: [2], scalars: [Float16(0.0004), Float16(1)])
        let y = try runOp("Add", [a, b])
        #expect(y.elementType == .f16)
        // 1 + 0.0004 rounds to f16's 1.0 (spacing 2^-10); 2048 + 1 = 2049 rounds to even 2048.
        #expect(try y.scalars(as: Float16.self) == [Float16(1), Float16(2048)])
        let bf = Tensor(doubles: [1.5, 3], as: .bf16, shape: [2])
        let z = try runOp("Multiply", [bf, bf])
        #expect(z.elementType == .bf16 && z.doubleValues() == [2.25, 9])
        let d = try runOp("Subtract", [Tensor(shape: [1], scalars: [0.1] as [Double]), Tensor(shape: [1], scalars: [0.3] as [Double])])
        #expect(d.doubleValues() == [0.1 - 0.3])
    }

    @Test func dynamicDimsPropagate() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, PartialShape([.dynamic, .fixed(3)]))
        let y = b.parameter("y", .f32, PartialShape([.fixed(1), .fixed(3)]))
        b.result(b.op("Add", [x, y]))
        let m = try CompiledModel(graph: b.graph)
        #expect(m.outputs[0].shape == PartialShape([.dynamic, .fixed(3)]))
        let out = try m.infer([f32([1, 2, 3, 4, 5, 6], [2, 3]), f32([1, 1, 1], [1, 3])])[0]
        expectFloats(out, [2, 3, 4, 5, 6, 7], shape: [2, 3])
    }

    @Test func mismatchedTypesAreRejected() throws {
        #expect(throws: OVIRError.self) { try runOp("Add", [f32([1]), Tensor(shape: [1], scalars: [1] as [Int32])]) }
        #expect(throws: OVIRError.self) { try runOp("Add", [Tensor(shape: [1], scalars: [1] as [UInt8]).asBoolean(), Tensor(shape: [1], scalars: [1] as [UInt8]).asBoolean()]) }
    }
}

extension Tensor {
    /// The same bytes typed boolean (test helper).
    func asBoolean() -> Tensor { Tensor(doubles: doubleValues(), as: .boolean, shape: shape) }
}
