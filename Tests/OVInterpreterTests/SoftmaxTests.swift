import Foundation
import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for Softmax-1, Softmax-8 (`SoftMax`) and LogSoftmax-5.
@Suite("Softmax")
struct SoftmaxTests {
    private func softmax(_ type: String, _ x: Tensor, axis: Int, version: String) throws -> Tensor {
        let b = GraphBuilder()
        let p = b.parameter("x", .f32, x.shape)
        b.result(b.op(type, [p], ["axis": "\(axis)"], version: version))
        return try run(b, [x])[0]
    }

    let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1000, 1000, 1000] as [Float])
    // softmax([1,2,3]) = exp(k - 3) / (e^-2 + e^-1 + 1)
    let s: [Float] = {
        let d = Float(exp(-2.0) + exp(-1.0) + 1)
        return [Float(exp(-2.0)) / d, Float(exp(-1.0)) / d, 1 / d]
    }()

    @Test func lastAxis() throws {
        expectFloats(try softmax("SoftMax", x, axis: -1, version: "opset8"), s + [1 / 3, 1 / 3, 1 / 3], shape: [2, 3])
        expectFloats(try softmax("Softmax", x, axis: 1, version: "opset1"), s + [1 / 3, 1 / 3, 1 / 3], shape: [2, 3])
    }

    @Test func firstAxis() throws {
        let y = try softmax("Softmax", Tensor(shape: [2, 1], scalars: [0, 0] as [Float]), axis: 0, version: "opset8")
        expectFloats(y, [0.5, 0.5], shape: [2, 1])
    }

    @Test func logSoftmax() throws {
        let l = Float(log(exp(-2.0) + exp(-1.0) + 1))
        let y = try softmax("LogSoftmax", x, axis: -1, version: "opset5")
        let third = -Float(log(3.0))
        expectFloats(y, [-2 - l, -1 - l, -l, third, third, third], shape: [2, 3])
    }

    @Test func negativeAxisRejectedInSoftmax1() throws {
        #expect(throws: OVIRError.self) { try softmax("Softmax", x, axis: -1, version: "opset1") }
    }
}
