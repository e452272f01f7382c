/// MatMul ops: MatMul-1.
enum MatMulOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("MatMul", 1) { node in try MatMulKernel(node) },
    ]
}

/// MatMul-1: batched matrix product of the two innermost dims, with numpy broadcasting of the
/// batch dims.
///
/// `transpose_a`/`transpose_b` swap the two innermost dims of an operand of rank ≥ 2. A 1-D first
/// operand is read as `[1, K]` and a 1-D second operand as `[K, 1]`; the added dim is removed from
/// the output. Accumulation is in f32 (f16/f64 are computed in f32, as OpenVINO's CPU plugin does).
final class MatMulKernel: Kernel {
    let transposeA: Bool
    let transposeB: Bool

    init(_ node: Node) throws {
        transposeA = try node.attributes.bool("transpose_a", default: false)
        transposeB = try node.attributes.bool("transpose_b", default: false)
    }

    /// `(rows, cols)` of an operand as used in the product, and its batch dims.
    private func matrixDims<D>(_ dims: [D], isA: Bool, one: D) -> (batch: [D], rows: D, cols: D) {
        if dims.count == 1 { return isA ? ([], one, dims[0]) : ([], dims[0], one) }
        let t = isA ? transposeA : transposeB
        let r = dims[dims.count - 2], c = dims[dims.count - 1]
        return (Array(dims.dropLast(2)), t ? c : r, t ? r : c)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("MatMul takes 2 inputs, found \(inputs.count)") }
        let a = inputs[0], b = inputs[1]
        guard a.elementType == b.elementType else {
            throw OVIRError("MatMul inputs must have the same element type, found \(a.elementType.rawValue) and \(b.elementType.rawValue)")
        }
        guard a.elementType != .boolean else { throw OVIRError("MatMul does not accept boolean inputs") }
        guard let ad = a.shape.dims, let bd = b.shape.dims else { return [ValueInfo(a.elementType, .dynamicRank)] }
        guard !ad.isEmpty, !bd.isEmpty else { throw OVIRError("MatMul inputs must have rank >= 1, found \(a.shape) and \(b.shape)") }
        let ma = matrixDims(ad, isA: true, one: Dimension.fixed(1))
        let mb = matrixDims(bd, isA: false, one: Dimension.fixed(1))
        if let k1 = ma.cols.staticValue, let k2 = mb.rows.staticValue, k1 != k2 {
            throw OVIRError("MatMul: inner dims differ (\(k1) vs \(k2)) for shapes \(a.shape) and \(b.shape) (transpose_a=\(transposeA), transpose_b=\(transposeB))")
        }
        let batch = try AutoBroadcast.numpy.partialShape(PartialShape(ma.batch), PartialShape(mb.batch))
        var dims = batch.dims ?? []
        if ad.count > 1 { dims.append(ma.rows) }
        if bd.count > 1 { dims.append(mb.cols) }
        return [ValueInfo(a.elementType, batch.dims == nil ? .dynamicRank : PartialShape(dims))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0], b = inputs[1]
        let ma = matrixDims(a.shape, isA: true, one: 1)
        let mb = matrixDims(b.shape, isA: false, one: 1)
        let m = ma.rows, k = ma.cols, n = mb.cols
        let outBatch = try AutoBroadcast.numpy.shape(ma.batch, mb.batch)
        let sa = AutoBroadcast.numpy.readStrides(input: ma.batch, output: outBatch)
        let sb = AutoBroadcast.numpy.readStrides(input: mb.batch, output: outBatch)
        // 1-D operands are never transposed.
        let ta = transposeA && a.rank > 1, tb = transposeB && b.rank > 1
        // Transposed operands are copied into row-major scratch so that the product always runs as
        // the contiguous row-update loop below (same summation order as a dot product).
        let aT = ta ? ctx.scratch(slot: 0x4D4D_0001, byteCount: m * k * 4).assumingMemoryBound(to: Float.self) : nil
        let bT = tb ? ctx.scratch(slot: 0x4D4D_0002, byteCount: k * n * 4).assumingMemoryBound(to: Float.self) : nil
        withF32(a) { ap in
            withF32(b) { bp in
                writeF32(&outputs[0]) { cp in
                    forEachBroadcast(outBatch, sa, sb) { o, ia, ib in
                        var aMat = UnsafePointer(ap + ia * m * k), bMat = UnsafePointer(bp + ib * k * n)
                        if let aT { transpose(aMat, rows: k, cols: m, into: aT); aMat = UnsafePointer(aT) }
                        if let bT { transpose(bMat, rows: n, cols: k, into: bT); bMat = UnsafePointer(bT) }
                        MatMulKernel.gemm(a: aMat, b: bMat, c: cp + o * m * n, m: m, n: n, k: k)
                    }
                }
            }
        }
    }

    /// Writes the `[cols, rows]` transpose of a row-major `[rows, cols]` matrix.
    private func transpose(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            for c in 0..<cols { y[c * rows + r] = x[r * cols + c] }
        }
    }

    /// `C[m, n] = Σ_k A[m, k] · B[k, n]` for row-major A `[M, K]` and B `[K, N]`, summing over k in order.
    static func gemm(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                     m: Int, n: Int, k: Int) {
        for i in 0..<m {
            let crow = c + i * n
            crow.update(repeating: 0, count: n)
            for p in 0..<k {
                let av = a[i * k + p]
                let brow = b + p * n
                for j in 0..<n { crow[j] += av * brow[j] }
            }
        }
    }
}
