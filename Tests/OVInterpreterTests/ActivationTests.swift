import Foundation
import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for the activation ops.
@Suite("Activations")
struct ActivationTests {
    @Test func reluAndSigmoid() throws {
        expectFloats(try runOp("ReLU", [f32([-1, 0, 2.5])], version: "opset1"), [0, 0, 2.5])
        expectInts(try runOp("ReLU", [Tensor(shape: [3], scalars: [-4, 0, 7] as [Int32])], version: "opset1"), [0, 0, 7], type: .i32)
        expectFloats(try runOp("Sigmoid", [f32([0, Float(log(3.0)), -100])], version: "opset1"), [0.5, 0.75, 0])
    }

    @Test func eluSeluAndSoftPlus() throws {
        let ln2 = Float(log(2.0))
        expectFloats(try runOp("Elu", [f32([-ln2, 3])], ["alpha": "2"], version: "opset1"), [-1, 3])
        // Selu: lambda * (x > 0 ? x : alpha * (exp(x) - 1)), alpha = 2, lambda = 3
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [2])
        b.result(b.op("Selu", [x, b.constant([2], shape: [1]), b.constant([3], shape: [1])], version: "opset1"))
        expectFloats(try run(b, [f32([-ln2, 2])])[0], [-3, 6])
        expectFloats(try runOp("SoftPlus", [f32([0, -1, 30, -100])], version: "opset4"), [ln2, 0.31326169, 30, 0], atol: 1e-7)
    }

    @Test func hardFunctions() throws {
        expectFloats(try runOp("HSwish", [f32([-4, 0, 1, 3, 4])], version: "opset4"), [0, 0, 2.0 / 3, 3, 4])
        expectFloats(try runOp("HSigmoid", [f32([-4, 0, 3])], version: "opset5"), [0, 0.5, 1])
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [4])
        b.result(b.op("HardSigmoid", [x, b.constant([0.2], shape: []), b.constant([0.5], shape: [])], version: "opset1"))
        expectFloats(try run(b, [f32([-5, 0, 1, 5])])[0], [0, 0.5, 0.7, 1])
        expectFloats(try runOp("SoftSign", [f32([-3, 0, 1])], version: "opset9"), [-0.75, 0, 0.5])
    }

    @Test func geluSwishMish() throws {
        expectFloats(try runOp("Gelu", [f32([1, -1, 0])], version: "opset2"), [0.84134475, -0.15865525, 0])
        expectFloats(try runOp("Gelu", [f32([1, -1])], ["approximation_mode": "ERF"], version: "opset7"), [0.84134475, -0.15865525])
        expectFloats(try runOp("Gelu", [f32([1])], ["approximation_mode": "tanh"], version: "opset7"), [0.84119199])
        expectFloats(try runOp("Swish", [f32([1, 0])], version: "opset4"), [0.73105858, 0])
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1])
        b.result(b.op("Swish", [x, b.constant([2], shape: [])], version: "opset4"))
        expectFloats(try run(b, [f32([1])])[0], [0.88079708])
        expectFloats(try runOp("Mish", [f32([1, 0])], version: "opset4"), [0.86509839, 0])
    }

    @Test func clamp() throws {
        let attrs = ["min": "-1.5", "max": "2.5"]
        expectFloats(try runOp("Clamp", [f32([-3, 0, 3])], attrs, version: "opset1"), [-1.5, 0, 2.5])
        // integers: min rounds up, max rounds down
        expectInts(try runOp("Clamp", [Tensor(shape: [3], scalars: [-3, 0, 3] as [Int32])], attrs, version: "opset1"), [-1, 0, 2])
        let n = try runOp("Clamp", [f32([.nan])], attrs, version: "opset1").floatValues()
        #expect(n[0] == -1.5 || n[0].isNaN)
        #expect(throws: OVIRError.self) { try runOp("Clamp", [f32([1])], ["min": "2", "max": "1"], version: "opset1") }
    }

    @Test func preluPerChannelAndNumpy() throws {
        func prelu(_ x: Tensor, _ slope: Tensor) throws -> Tensor {
            let b = GraphBuilder()
            let p = b.parameter("x", .f32, x.shape)
            b.result(b.op("PReLU", [p, b.constant(slope)], version: "opset1"))
            return try run(b, [x])[0]
        }
        let neg = f32(Array(repeating: -1, count: 8), [2, 2, 2])
        let slope = f32([0.1, 0.2])
        // 1-D slope matching axis 1 applies per channel, not along the last axis.
        expectFloats(try prelu(neg, slope), [-0.1, -0.1, -0.2, -0.2, -0.1, -0.1, -0.2, -0.2], shape: [2, 2, 2])
        // a slope that does not match the channels broadcasts numpy-style (ONNX test_prelu_broadcast)
        expectFloats(try prelu(f32([-1, 2, -3, -1, 2, -3], [1, 2, 3]), f32([1, 2, 3])), [-1, 2, -9, -1, 2, -9])
        expectFloats(try prelu(f32([-2, 4]), f32([0.5], [])), [-1, 4])
        #expect(throws: OVIRError.self) { try prelu(f32([1, 2, 3], [1, 3]), f32([1, 2])) }
    }

    @Test func halfPrecisionAndErrors() throws {
        let h = try runOp("Sigmoid", [Tensor(shape: [1], scalars: [Float16(0)])], version: "opset1")
        #expect(try h.scalars(as: Float16.self) == [Float16(0.5)])
        let d = try runOp("Gelu", [Tensor(shape: [1], scalars: [1.0] as [Double])], version: "opset2")
        #expect(abs(d.doubleValues()[0] - 0.8413447460685429) < 1e-15)
        #expect(throws: OVIRError.self) { try runOp("Sigmoid", [Tensor(shape: [1], scalars: [1] as [Int32])], version: "opset1") }
    }
}
