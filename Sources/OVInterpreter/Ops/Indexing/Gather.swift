/// Gather-1 / Gather-7 / Gather-8: slices of `data` along `axis` picked by `indices`, with
/// `batch_dims` leading dims shared by both (7, 8). Negative indices count from the end; an index
/// out of range gives zeros (Gather-8).
final class GatherKernel: Kernel {
    let batchDims: Int
    init(batchDims: Int) { self.batchDims = batchDims }

    struct Geometry {
        var axis: Int, batchDims: Int
    }

    func geometry(dataRank: Int, indicesRank: Int, axisValue: Int) throws -> Geometry {
        let bd = batchDims < 0 ? batchDims + indicesRank : batchDims
        guard bd >= 0 && bd <= indicesRank else { throw OVIRError("Gather: batch_dims \(batchDims) is out of range for indices of rank \(indicesRank)") }
        let axis = try Movement.axis(axisValue, rank: dataRank, "Gather axis")
        guard bd <= axis else { throw OVIRError("Gather: batch_dims \(bd) must not exceed axis \(axis)") }
        return Geometry(axis: axis, batchDims: bd)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 else { throw OVIRError("Gather expects 3 inputs (data, indices, axis), found \(inputs.count)") }
        try Movement.requireInteger(inputs[1], "Gather indices")
        let t = inputs[0].elementType
        guard let d = inputs[0].shape.dims, let i = inputs[1].shape.dims, let a = inputs[2].value else {
            return [ValueInfo(t, .dynamicRank)]
        }
        let g = try geometry(dataRank: d.count, indicesRank: i.count, axisValue: try Movement.scalarInt(a, "Gather axis"))
        return [ValueInfo(t, PartialShape(Array(d[..<g.axis]) + Array(i[g.batchDims...]) + Array(d[(g.axis + 1)...])))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let data = inputs[0], ind = inputs[1]
        let es = try Movement.elementSize(data.elementType, "Gather")
        let g = try geometry(dataRank: data.rank, indicesRank: ind.rank, axisValue: try Movement.scalarInt(inputs[2], "Gather axis"))
        let s = data.shape
        let batch = s[..<g.batchDims].reduce(1, *)
        let outer = s[g.batchDims..<g.axis].reduce(1, *)
        let n = s[g.axis]
        let inner = s[(g.axis + 1)...].reduce(1, *) * es
        let perBatch = ind.shape[g.batchDims...].reduce(1, *)
        let idx = Movement.ints(ind)
        let src = data.rawPointer
        var dst = outputs[0].rawPointer
        for b in 0..<batch {
            for o in 0..<outer {
                let base = (b * outer + o) * n
                for j in 0..<perBatch {
                    var k = idx[b * perBatch + j]
                    if k < 0 { k += n }
                    if k >= 0 && k < n {
                        dst.copyMemory(from: src + (base + k) * inner, byteCount: inner)
                    } else {
                        dst.initializeMemory(as: UInt8.self, repeating: 0, count: inner)
                    }
                    dst += inner
                }
            }
        }
    }
}

/// GatherElements-6: `out[i…] = data[i…]` with the `axis` coordinate replaced by `indices[i…]`.
final class GatherElementsKernel: Kernel {
    let axis: Int
    init(axis: Int) { self.axis = axis }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("GatherElements expects 2 inputs (data, indices), found \(inputs.count)") }
        try Movement.requireInteger(inputs[1], "GatherElements indices")
        if let r = inputs[0].shape.rank, let ri = inputs[1].shape.rank {
            guard r == ri else { throw OVIRError("GatherElements: data rank \(r) and indices rank \(ri) must be equal") }
            _ = try Movement.axis(axis, rank: r, "GatherElements axis")
        }
        return [ValueInfo(inputs[0].elementType, inputs[1].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let data = inputs[0], ind = inputs[1]
        let es = try Movement.elementSize(data.elementType, "GatherElements")
        let a = try Movement.axis(axis, rank: data.rank, "GatherElements axis")
        let ds = contiguousStrides(data.shape)
        let pre = Movement.offsets(Array(ind.shape[..<a]), Array(ds[..<a]))
        let post = Movement.offsets(Array(ind.shape[(a + 1)...]), Array(ds[(a + 1)...]))
        let n = data.shape[a], m = ind.shape[a], stride = ds[a]
        let idx = Movement.ints(ind)
        let src = data.rawPointer, dst = outputs[0].rawPointer
        var o = 0
        for p in pre {
            for _ in 0..<m {
                for q in post {
                    var k = idx[o]
                    if k < 0 { k += n }
                    guard k >= 0 && k < n else { throw OVIRError("GatherElements: index \(idx[o]) is out of range for axis size \(n)") }
                    (dst + o * es).copyMemory(from: src + (p + k * stride + q) * es, byteCount: es)
                    o += 1
                }
            }
        }
    }
}

/// GatherND-5 / GatherND-8: slices of `data` addressed by the index tuples in the last dim of
/// `indices`, after `batch_dims` shared leading dims (GatherND-5 flattens the batch dims).
final class GatherNDKernel: Kernel {
    let batchDims: Int
    let flattenBatch: Bool
    init(batchDims: Int, flattenBatch: Bool) { self.batchDims = batchDims; self.flattenBatch = flattenBatch }

    func outputDims(_ d: [Dimension], _ i: [Dimension]) throws -> [Dimension] {
        guard let k = i.last?.staticValue else { throw OVIRError("GatherND: the last dim of indices must be static and present") }
        guard batchDims + k <= d.count, batchDims < i.count else {
            throw OVIRError("GatherND: batch_dims \(batchDims) + index length \(k) exceed the data rank \(d.count)")
        }
        var lead = Array(i[..<(i.count - 1)])
        if flattenBatch && batchDims > 0 {
            let b = lead[..<batchDims]
            let fused: Dimension = b.allSatisfy(\.isStatic) ? .fixed(b.map { $0.staticValue! }.reduce(1, *)) : .dynamic
            lead = [fused] + lead[batchDims...]
        }
        return lead + Array(d[(batchDims + k)...])
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("GatherND expects 2 inputs (data, indices), found \(inputs.count)") }
        try Movement.requireInteger(inputs[1], "GatherND indices")
        let t = inputs[0].elementType
        guard let d = inputs[0].shape.dims, let i = inputs[1].shape.dims else { return [ValueInfo(t, .dynamicRank)] }
        return [ValueInfo(t, PartialShape(try outputDims(d, i)))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let data = inputs[0], ind = inputs[1]
        let es = try Movement.elementSize(data.elementType, "GatherND")
        let k = ind.shape.last ?? 0
        let s = data.shape
        let batch = s[..<batchDims].reduce(1, *)
        let tuples = ind.shape[batchDims..<(ind.rank - 1)].reduce(1, *)
        let slice = s[(batchDims + k)...].reduce(1, *) * es
        let sub = Array(s[batchDims...])
        let subStrides = contiguousStrides(sub)
        let batchBytes = sub.reduce(1, *) * es
        let idx = Movement.ints(ind)
        var dst = outputs[0].rawPointer
        var t = 0
        for b in 0..<batch {
            for _ in 0..<tuples {
                var off = 0
                for j in 0..<k {
                    var v = idx[t * k + j]
                    if v < 0 { v += sub[j] }
                    guard v >= 0 && v < sub[j] else { throw OVIRError("GatherND: index \(idx[t * k + j]) is out of range for dim size \(sub[j])") }
                    off += v * subStrides[j]
                }
                dst.copyMemory(from: data.rawPointer + b * batchBytes + off * es, byteCount: slice)
                dst += slice
                t += 1
            }
        }
    }
}
