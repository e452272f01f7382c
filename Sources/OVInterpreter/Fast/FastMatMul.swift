/// MatMul-1 on f32 through OpenBLAS sgemm: transposes become sgemm flags (nothing is copied), a
/// 2-D (or 1-D) second operand folds all batch rows of the first into one GEMM, and broadcast
/// batches run one sgemm per output matrix.
final class BLASMatMulKernel: Kernel {
    let reference: MatMulKernel

    init(reference: MatMulKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? MatMulKernel, inputs.count == 2,
              inputs.allSatisfy({ $0.elementType == .f32 }), BLAS.isAvailable else { return nil }
        return BLASMatMulKernel(reference: ref)
    }

    var kernelName: String { "blas.sgemm" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0], b = inputs[1]
        // 1-D operands are never transposed: A is [1, K], B is [K, 1].
        let ta = reference.transposeA && a.rank > 1, tb = reference.transposeB && b.rank > 1
        let aRows = a.rank == 1 ? 1 : a.shape[a.rank - 2], aCols = a.shape[a.rank - 1]
        let bRows = b.rank == 1 ? b.shape[0] : b.shape[b.rank - 2], bCols = b.rank == 1 ? 1 : b.shape[b.rank - 1]
        let m = ta ? aCols : aRows, k = ta ? aRows : aCols, n = tb ? bRows : bCols
        let lda = aCols, ldb = bCols
        let threads = ctx.options.threads
        let ap = UnsafePointer(a.pointer(Float.self)), bp = UnsafePointer(b.pointer(Float.self))
        let cp = outputs[0].pointer(Float.self)
        if b.rank <= 2 && !ta {
            // Every batch of A multiplies the same B: one GEMM over all rows of A.
            let rows = k == 0 ? outputs[0].count / Swift.max(n, 1) : a.count / k
            BLAS.sgemm(transA: false, transB: tb, m: rows, n: n, k: k, a: ap, lda: lda, b: bp, ldb: ldb,
                       c: cp, ldc: n, threads: threads)
            return
        }
        let aBatch = Array(a.shape.dropLast(a.rank == 1 ? 1 : 2)), bBatch = Array(b.shape.dropLast(b.rank == 1 ? 1 : 2))
        let outBatch = try AutoBroadcast.numpy.shape(aBatch, bBatch)
        let sa = AutoBroadcast.numpy.readStrides(input: aBatch, output: outBatch)
        let sb = AutoBroadcast.numpy.readStrides(input: bBatch, output: outBatch)
        var pairs: [(Int, Int, Int)] = []
        pairs.reserveCapacity(outBatch.reduce(1, *))
        forEachBroadcast(outBatch, sa, sb) { o, ia, ib in pairs.append((o, ia, ib)) }
        let perMatrix = threads > 1 && pairs.count >= threads ? 1 : threads
        pairs.withUnsafeBufferPointer { pairs in
            parallelFor(pairs.count, threads: threads / perMatrix) { i in
                let (o, ia, ib) = pairs[i]
                BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: ap + ia * m * k, lda: lda,
                           b: bp + ib * k * n, ldb: ldb, c: cp + o * m * n, ldc: n, threads: perMatrix)
            }
        }
    }
}
