import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for MatMul-1.
@Suite("MatMul")
struct MatMulTests {
    private func matmul(_ a: Tensor, _ b: Tensor, ta: Bool = false, tb: Bool = false) throws -> Tensor {
        let g = GraphBuilder()
        let pa = g.parameter("a", .f32, a.shape), pb = g.parameter("b", .f32, b.shape)
        g.result(g.op("MatMul", [pa, pb], ["transpose_a": "\(ta)", "transpose_b": "\(tb)"], version: "opset1"))
        return try run(g, [a, b])[0]
    }

    let a23 = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float])
    let b32 = Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1] as [Float])

    @Test func plain() throws {
        expectFloats(try matmul(a23, b32), [4, 5, 10, 11], shape: [2, 2])
    }

    @Test func transposes() throws {
        let bT = Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 1, 1] as [Float])
        expectFloats(try matmul(a23, bT, tb: true), [4, 5, 10, 11], shape: [2, 2])
        let aT = Tensor(shape: [3, 2], scalars: [1, 4, 2, 5, 3, 6] as [Float])
        expectFloats(try matmul(aT, b32, ta: true), [4, 5, 10, 11], shape: [2, 2])
    }

    @Test func oneDimensionalOperands() throws {
        let v = Tensor(shape: [3], scalars: [1, 1, 1] as [Float])
        expectFloats(try matmul(a23, v), [6, 15], shape: [2])
        expectFloats(try matmul(v, b32), [2, 2], shape: [2])
        expectFloats(try matmul(v, v), [3], shape: [])
    }

    @Test func batchBroadcast() throws {
        // [2,1,2] x [2,1] → [2,1,1]; the right operand is shared by both batches.
        let a = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4] as [Float])
        let b = Tensor(shape: [2, 1], scalars: [10, 1] as [Float])
        expectFloats(try matmul(a, b), [12, 34], shape: [2, 1, 1])
        // batch [2,1] with [3] → [2,3]
        let a4 = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4] as [Float])
        let b3 = Tensor(shape: [3, 2, 1], scalars: [1, 0, 0, 1, 1, 1] as [Float])
        expectFloats(try matmul(a4, b3), [1, 2, 3, 3, 4, 7], shape: [2, 3, 1, 1])
    }

    @Test func innerDimMismatchIsAnError() throws {
        let g = GraphBuilder()
        let pa = g.parameter("a", .f32, [2, 3]), pb = g.parameter("b", .f32, [2, 2])
        g.result(g.op("MatMul", [pa, pb], version: "opset1"))
        #expect(throws: OVIRError.self) { try CompiledModel(graph: g.graph) }
    }
}
