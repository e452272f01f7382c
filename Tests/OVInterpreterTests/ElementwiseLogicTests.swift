import Foundation
import Testing
import OVInterpreter
import _TestSupport

func bools(_ v: [Bool], _ shape: [Int]? = nil) -> Tensor {
    Tensor(doubles: v.map { $0 ? 1 : 0 }, as: .boolean, shape: shape ?? [v.count])
}

/// Hand-checked cases for comparisons, logical and bitwise ops, and Select-1.
@Suite("Elementwise comparison and logic")
struct ElementwiseLogicTests {
    @Test func comparisons() throws {
        let a = f32([1, 2, 3, .nan]), b = f32([2, 2, 2, .nan])
        expectInts(try runOp("Equal", [a, b]), [0, 1, 0, 0], type: .boolean)
        expectInts(try runOp("NotEqual", [a, b]), [1, 0, 1, 1])
        expectInts(try runOp("Less", [a, b]), [1, 0, 0, 0])
        expectInts(try runOp("LessEqual", [a, b]), [1, 1, 0, 0])
        expectInts(try runOp("Greater", [a, b]), [0, 0, 1, 0])
        expectInts(try runOp("GreaterEqual", [a, b]), [0, 1, 1, 0])
        // broadcast [2,1] against [3] with integers, and u64 beyond Int64.max
        let i = Tensor(shape: [2, 1], scalars: [1, 5] as [Int32]), j = Tensor(shape: [3], scalars: [0, 1, 6] as [Int32])
        expectInts(try runOp("Greater", [i, j]), [1, 0, 0, 1, 1, 0], shape: [2, 3])
        let u = Tensor(shape: [1], scalars: [UInt64.max] as [UInt64])
        expectInts(try runOp("Greater", [u, Tensor(shape: [1], scalars: [1] as [UInt64])]), [1])
    }

    @Test func logical() throws {
        let a = bools([true, true, false, false]), b = bools([true, false, true, false])
        expectInts(try runOp("LogicalAnd", [a, b]), [1, 0, 0, 0], type: .boolean)
        expectInts(try runOp("LogicalOr", [a, b]), [1, 1, 1, 0])
        expectInts(try runOp("LogicalXor", [a, b], version: "opset2"), [0, 1, 1, 0])
        expectInts(try runOp("LogicalNot", [a]), [0, 0, 1, 1])
        expectInts(try runOp("LogicalAnd", [bools([true, false], [2, 1]), bools([true, true, false])]), [1, 1, 0, 0, 0, 0], shape: [2, 3])
        #expect(throws: OVIRError.self) { try runOp("LogicalAnd", [f32([1]), f32([1])]) }
    }

    @Test func bitwise() throws {
        let a = Tensor(shape: [3], scalars: [0b1100, -1, 5] as [Int16]), b = Tensor(shape: [3], scalars: [0b1010, 7, 0] as [Int16])
        expectInts(try runOp("BitwiseAnd", [a, b]), [0b1000, 7, 0], type: .i16)
        expectInts(try runOp("BitwiseOr", [a, b]), [0b1110, -1, 5])
        expectInts(try runOp("BitwiseXor", [a, b]), [0b0110, -8, 5])
        expectInts(try runOp("BitwiseNot", [a]), [~0b1100, 0, -6])
        expectInts(try runOp("BitwiseNot", [bools([true, false])]), [0, 1], type: .boolean)
        expectInts(try runOp("BitwiseAnd", [bools([true, true]), bools([true, false])]), [1, 0], type: .boolean)
        let u = Tensor(shape: [3], scalars: [1, 128, 255] as [UInt8]), s = Tensor(shape: [3], scalars: [3, 1, 8] as [UInt8])
        expectInts(try runOp("BitwiseLeftShift", [u, s], version: "opset15"), [8, 0, 0], type: .u8)
        expectInts(try runOp("BitwiseRightShift", [u, s], version: "opset15"), [0, 64, 0], type: .u8)
        let n = Tensor(shape: [1], scalars: [-16] as [Int32])
        expectInts(try runOp("BitwiseRightShift", [n, Tensor(shape: [1], scalars: [2] as [Int32])], version: "opset15"), [-4])
        #expect(throws: OVIRError.self) { try runOp("BitwiseAnd", [f32([1]), f32([1])]) }
    }

    @Test func select() throws {
        let c = bools([true, false, true, false], [2, 2])
        expectFloats(try runOp("Select", [c, f32([1, 2, 3, 4], [2, 2]), f32([-1, -2, -3, -4], [2, 2])]), [1, -2, 3, -4], shape: [2, 2])
        // condition [2,1], then scalar, else [1,3] → [2,3]
        let y = try runOp("Select", [bools([true, false], [2, 1]), f32([9], []), f32([1, 2, 3], [1, 3])])
        expectFloats(y, [9, 9, 9, 1, 2, 3], shape: [2, 3])
        let i = try runOp("Select", [bools([false, true]), Tensor(shape: [2], scalars: [1, 2] as [Int64]), Tensor(shape: [1], scalars: [7] as [Int64])])
        expectInts(i, [7, 2], type: .i64)
        #expect(throws: OVIRError.self) { try runOp("Select", [f32([1]), f32([1]), f32([1])]) }
    }
}

/// Hand-checked cases for unary math and classification ops.
@Suite("Elementwise unary")
struct ElementwiseUnaryTests {
    @Test func basics() throws {
        let x = f32([-2.5, -0.5, 0, 0.5, 1.5, 2.5])
        expectFloats(try runOp("Negative", [x]), [2.5, 0.5, 0, -0.5, -1.5, -2.5])
        expectFloats(try runOp("Abs", [x]), [2.5, 0.5, 0, 0.5, 1.5, 2.5])
        expectFloats(try runOp("Floor", [x]), [-3, -1, 0, 0, 1, 2])
        expectFloats(try runOp("Ceiling", [x]), [-2, 0, 0, 1, 2, 3])
        expectFloats(try runOp("Sign", [x]), [-1, -1, 0, 1, 1, 1])
        expectFloats(try runOp("Round", [x], ["mode": "half_to_even"], version: "opset5"), [-2, 0, 0, 0, 2, 2])
        expectFloats(try runOp("Round", [x], ["mode": "half_away_from_zero"], version: "opset5"), [-3, -1, 0, 1, 2, 3])
    }

    @Test func transcendental() throws {
        expectFloats(try runOp("Sqrt", [f32([4, 2, 0])]), [2, Float(2).squareRoot(), 0])
        expectFloats(try runOp("Exp", [f32([0, 1, -1])]), [1, Float(M_E), Float(1 / M_E)])
        expectFloats(try runOp("Log", [f32([1, Float(M_E)])]), [0, 1])
        #expect(try runOp("Log", [f32([0])]).floatValues() == [-.infinity])
        expectFloats(try runOp("Sin", [f32([0, .pi / 2])]), [0, 1])
        expectFloats(try runOp("Cos", [f32([0, .pi])]), [1, -1])
        expectFloats(try runOp("Tan", [f32([0, .pi / 4])]), [0, 1])
        expectFloats(try runOp("Asin", [f32([0, 1])]), [0, .pi / 2])
        expectFloats(try runOp("Acos", [f32([1, 0])]), [0, .pi / 2])
        expectFloats(try runOp("Atan", [f32([0, 1])]), [0, .pi / 4])
        expectFloats(try runOp("Sinh", [f32([0, 1])]), [0, Float(sinh(1.0))])
        expectFloats(try runOp("Cosh", [f32([0, 1])]), [1, Float(cosh(1.0))])
        expectFloats(try runOp("Tanh", [f32([0, 100])]), [0, 1])
        expectFloats(try runOp("Asinh", [f32([0, 1])], version: "opset4"), [0, Float(asinh(1.0))])
        expectFloats(try runOp("Acosh", [f32([1, 2])], version: "opset4"), [0, Float(acosh(2.0))])
        expectFloats(try runOp("Atanh", [f32([0, 0.5])], version: "opset4"), [0, Float(atanh(0.5))])
        expectFloats(try runOp("Erf", [f32([0, 1, -10])]), [0, 0.8427007929, -1])
        let s = try runOp("Sqrt", [f32([-1])]).floatValues()
        #expect(s[0].isNaN)
    }

    @Test func integersAndHalf() throws {
        expectInts(try runOp("Negative", [Tensor(shape: [2], scalars: [-128, 5] as [Int8])]), [127, -5], type: .i8)
        expectInts(try runOp("Abs", [Tensor(shape: [2], scalars: [-7, 7] as [Int64])]), [7, 7], type: .i64)
        expectInts(try runOp("Sign", [Tensor(shape: [3], scalars: [-7, 0, 9] as [Int32])]), [-1, 0, 1])
        expectInts(try runOp("Sqrt", [Tensor(shape: [3], scalars: [4, 10, 16] as [Int32])]), [2, 3, 4])
        let h = try runOp("Exp", [Tensor(shape: [1], scalars: [Float16(1)])])
        #expect(try h.scalars(as: Float16.self) == [Float16(Float(M_E))])
    }

    @Test func classification() throws {
        let x = f32([-.infinity, .nan, .infinity, 1, 0])
        expectInts(try runOp("IsInf", [x], version: "opset10"), [1, 0, 1, 0, 0], type: .boolean)
        expectInts(try runOp("IsInf", [x], ["detect_negative": "false"], version: "opset10"), [0, 0, 1, 0, 0])
        expectInts(try runOp("IsInf", [x], ["detect_positive": "false"], version: "opset10"), [1, 0, 0, 0, 0])
        expectInts(try runOp("IsNaN", [x], version: "opset10"), [0, 1, 0, 0, 0])
        expectInts(try runOp("IsFinite", [x], version: "opset10"), [0, 0, 0, 1, 1])
        // OpenVINO 2023.3 CPU: IsInf on f16 reports no infinities (conformance test_isinf_float16).
        let h = Tensor(shape: [2], scalars: [Float16.infinity, -Float16.infinity])
        expectInts(try runOp("IsInf", [h], version: "opset10"), [0, 0])
        expectInts(try runOp("IsNaN", [Tensor(shape: [2], scalars: [Float16.nan, 1])], version: "opset10"), [1, 0])
        #expect(throws: OVIRError.self) { try runOp("IsNaN", [Tensor(shape: [1], scalars: [1] as [Int32])], version: "opset10") }
    }
}
