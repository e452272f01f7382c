import Foundation
import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for Convert-1 and ConvertLike-1 with OpenVINO CPU numerics.
@Suite("Convert")
struct ConvertTests {
    private func convert(_ x: Tensor, to t: ElementType) throws -> Tensor {
        let y = try runOp("Convert", [x], ["destination_type": t.rawValue], version: "opset1")
        #expect(y.elementType == t && y.shape == x.shape)
        return y
    }

    @Test func floatToSmallIntegersSaturateAndTruncate() throws {
        let x = f32([-3.7, 0.5, 1.9, 255.5, 300, .nan, .infinity, -.infinity])
        expectInts(try convert(x, to: .u8), [0, 0, 1, 255, 255, 0, 255, 0])
        expectInts(try convert(f32([-200, -1.9, 1.9, 200, .nan]), to: .i8), [-128, -1, 1, 127, 0])
        expectInts(try convert(f32([-40000, 40000, -2.5]), to: .i16), [-32768, 32767, -2])
        expectInts(try convert(f32([-1, 70000, 3.99]), to: .u16), [0, 65535, 3])
    }

    @Test func floatToWideIntegersFollowX86() throws {
        // Float(Int32.max) is 2^31, which x86's cvttss2si turns into Int32.min.
        expectInts(try convert(f32([3e9, -3e9, 2.9, -2.9, .nan]), to: .i32), [Int64(Int32.min), Int64(Int32.min), 2, -2, Int64(Int32.min)])
        expectInts(try convert(Tensor(shape: [1], scalars: [3e9] as [Double]), to: .i32), [Int64(Int32.max)])
        expectInts(try convert(f32([1e19, -5.5, .nan]), to: .i64), [Int64.min, -5, Int64.min])
        expectInts(try convert(f32([-1, 4e9, 7.5]), to: .u32), [0, 4_000_000_000, 7])
        let u = try convert(f32([-1, 1e19, .nan, 12.5]), to: .u64)
        #expect(try u.scalars(as: UInt64.self) == [0, UInt64(Float(1e19)), 1 << 63, 12])
    }

    @Test func floatToBooleanTruncatesAfterClamping() throws {
        expectInts(try convert(f32([0, 0.5, 1, 2, -1, .nan]), to: .boolean), [0, 0, 1, 1, 0, 0], type: .boolean)
    }

    @Test func integerConversionsSaturate() throws {
        expectInts(try convert(Tensor(shape: [3], scalars: [-1, 300, 7] as [Int32]), to: .u8), [0, 255, 7])
        expectInts(try convert(Tensor(shape: [2], scalars: [3_000_000_000, -3_000_000_000] as [Int64]), to: .i32), [Int64(Int32.max), Int64(Int32.min)])
        expectInts(try convert(Tensor(shape: [1], scalars: [UInt64.max] as [UInt64]), to: .i64), [Int64.max])
        expectInts(try convert(Tensor(shape: [2], scalars: [-5, 9] as [Int64]), to: .u64), [0, 9])
        expectInts(try convert(Tensor(shape: [3], scalars: [-5, 0, 5] as [Int32]), to: .boolean), [0, 0, 1])
        expectFloats(try convert(Tensor(shape: [2], scalars: [16_777_217, -3] as [Int32]), to: .f32), [16_777_216, -3])
        expectFloats(try convert(bools([true, false]), to: .f32), [1, 0])
    }

    @Test func floatToFloat() throws {
        let h = try convert(f32([1e6, 0.1, -2]), to: .f16)
        #expect(try h.scalars(as: Float16.self) == [.infinity, Float16(0.1), -2])
        #expect(try convert(h, to: .f32).floatValues() == [.infinity, Float(Float16(0.1)), -2])
        let bf = try convert(f32([1.00390625, 1.01171875]), to: .bf16)   // halfway cases round to even
        #expect(bf.doubleValues() == [1.0, 1.015625])
        let d = try convert(f32([0.1]), to: .f64)
        #expect(d.doubleValues() == [Double(Float(0.1))])
        let back = try convert(Tensor(shape: [1], scalars: [0.1] as [Double]), to: .f32)
        #expect(back.floatValues() == [Float(0.1)])
    }

    @Test func packedTypes() throws {
        let y = try convert(Tensor(shape: [3], scalars: [-9, 3, 20] as [Int32]), to: .i4)
        expectInts(y, [-8, 3, 7], type: .i4)
        expectFloats(try convert(Tensor(packing: [1, 0, 1], as: .u1, shape: [3]), to: .f32), [1, 0, 1])
    }

    @Test func convertLike() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [3])
        b.result(b.op("ConvertLike", [x, b.constant(Tensor(shape: [1], scalars: [0] as [Int32]))], version: "opset1"))
        let y = try run(b, [f32([-2.7, 0.2, 9.9])])[0]
        expectInts(y, [-2, 0, 9], type: .i32)
    }

    @Test func badDestinationType() throws {
        #expect(throws: OVIRError.self) { try runOp("Convert", [f32([1])], ["destination_type": "f8e4m3"], version: "opset1") }
        #expect(throws: OVIRError.self) { try runOp("Convert", [f32([1])], version: "opset1") }
    }
}
