/// Transpose-1: permutes the axes by the order input (empty order reverses them).
final class TransposeKernel: Kernel {
    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("Transpose expects 2 inputs (data, order), found \(inputs.count)") }
        let data = inputs[0]
        guard let dims = data.shape.dims else { return [ValueInfo(data.elementType, .dynamicRank)] }
        guard let raw = Movement.knownInts(inputs[1]) else { return [ValueInfo(data.elementType, Movement.dynamicDims(dims.count))] }
        let order = try TransposeKernel.order(raw, rank: dims.count)
        return [ValueInfo(data.elementType, PartialShape(order.map { dims[$0] }))]
    }

    static func order(_ raw: [Int], rank: Int) throws -> [Int] {
        if raw.isEmpty { return Array((0..<rank).reversed()) }
        guard raw.count == rank else { throw OVIRError("Transpose: order \(raw) has \(raw.count) entries; expected \(rank) (the input rank)") }
        let order = try raw.map { try Movement.axis($0, rank: rank, "Transpose order entry") }
        guard Set(order).count == rank else { throw OVIRError("Transpose: order \(raw) is not a permutation of 0..<\(rank)") }
        return order
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let es = try Movement.elementSize(x.elementType, "Transpose")
        let order = try TransposeKernel.order(Movement.ints(inputs[1]), rank: x.rank)
        let strides = contiguousStrides(x.shape)
        let outShape = order.map { x.shape[$0] }
        Movement.copyBox(outShape, src: x.rawPointer, order.map { strides[$0] },
                         dst: outputs[0].rawPointer, contiguousStrides(outShape), elementSize: es)
    }
}

/// Concat-1: joins the inputs along `axis` (negative counts from the end).
final class ConcatKernel: Kernel {
    let axis: Int
    init(axis: Int) { self.axis = axis }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard let first = inputs.first else { throw OVIRError("Concat expects at least 1 input, found none") }
        for (i, x) in inputs.enumerated() where x.elementType != first.elementType {
            throw OVIRError("Concat: input \(i) has element type \(x.elementType.rawValue); expected \(first.elementType.rawValue) like input 0")
        }
        guard let ranked = inputs.first(where: { $0.shape.dims != nil })?.shape.dims else {
            return [ValueInfo(first.elementType, .dynamicRank)]
        }
        let rank = ranked.count
        let a = try Movement.axis(axis, rank: rank, "Concat axis")
        var out = ranked
        var total: Int? = 0
        for (i, x) in inputs.enumerated() {
            guard let d = x.shape.dims else { total = nil; continue }
            guard d.count == rank else { throw OVIRError("Concat: input \(i) has rank \(d.count); expected \(rank)") }
            for k in 0..<rank where k != a {
                if let v = d[k].staticValue, let w = out[k].staticValue, v != w {
                    throw OVIRError("Concat: input \(i) has shape \(x.shape); dim \(k) should be \(w) as in the other inputs")
                }
                if !out[k].isStatic && d[k].isStatic { out[k] = d[k] }
            }
            if let t = total, let v = d[a].staticValue { total = t + v } else { total = nil }
        }
        out[a] = total.map { .fixed($0) } ?? .dynamic
        return [ValueInfo(first.elementType, PartialShape(out))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let es = try Movement.elementSize(outputs[0].elementType, "Concat")
        let outShape = outputs[0].shape
        let a = try Movement.axis(axis, rank: outShape.count, "Concat axis")
        let outer = outShape[..<a].reduce(1, *)
        let outRow = outShape[a...].reduce(1, *) * es
        var offset = 0
        let dst = outputs[0].rawPointer
        for x in inputs {
            let row = x.shape[a...].reduce(1, *) * es
            if row > 0 {
                for o in 0..<outer { (dst + o * outRow + offset).copyMemory(from: x.rawPointer + o * row, byteCount: row) }
            }
            offset += row
        }
    }
}

/// Shared by Split and VariadicSplit: copies consecutive pieces along `axis` into the outputs.
enum SplitCopy {
    static func run(_ x: Tensor, axis a: Int, _ outputs: inout [Tensor], _ op: String) throws {
        let es = try Movement.elementSize(x.elementType, op)
        let outer = x.shape[..<a].reduce(1, *)
        let inner = x.shape[(a + 1)...].reduce(1, *) * es
        let inRow = x.shape[a] * inner
        var start = 0
        for k in outputs.indices {
            let row = outputs[k].shape[a] * inner
            if row > 0 {
                let dst = outputs[k].rawPointer
                for o in 0..<outer { (dst + o * row).copyMemory(from: x.rawPointer + o * inRow + start, byteCount: row) }
            }
            start += row
        }
    }

    static func axis(_ info: ValueInfo, rank: Int, _ op: String) throws -> Int? {
        guard let v = info.value else { return nil }
        return try Movement.axis(try Movement.scalarInt(v, "\(op) axis"), rank: rank, "\(op) axis")
    }
}

/// Split-1: `num_splits` equal pieces along the axis input.
final class SplitKernel: Kernel {
    let numSplits: Int
    init(numSplits: Int) { self.numSplits = numSplits }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("Split expects 2 inputs (data, axis), found \(inputs.count)") }
        guard numSplits > 0 else { throw OVIRError("Split: num_splits is \(numSplits); expected a positive number") }
        let data = inputs[0]
        guard let dims = data.shape.dims, let a = try SplitCopy.axis(inputs[1], rank: dims.count, "Split") else {
            return Array(repeating: ValueInfo(data.elementType, .dynamicRank), count: numSplits)
        }
        var out = dims
        if let n = dims[a].staticValue {
            guard n % numSplits == 0 else { throw OVIRError("Split: dim \(a) of \(data.shape) is \(n), not divisible by num_splits \(numSplits)") }
            out[a] = .fixed(n / numSplits)
        } else {
            out[a] = .dynamic
        }
        return Array(repeating: ValueInfo(data.elementType, PartialShape(out)), count: numSplits)
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = try Movement.axis(try Movement.scalarInt(inputs[1], "Split axis"), rank: inputs[0].rank, "Split axis")
        try SplitCopy.run(inputs[0], axis: a, &outputs, "Split")
    }
}

/// VariadicSplit-1: pieces of the given lengths along the axis (one length may be -1: the rest).
final class VariadicSplitKernel: Kernel {
    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 else { throw OVIRError("VariadicSplit expects 3 inputs (data, axis, split_lengths), found \(inputs.count)") }
        let data = inputs[0]
        guard let count = inputs[2].shape.staticShape?.first ?? (inputs[2].shape.staticShape == [] ? 1 : nil) else {
            throw OVIRError("VariadicSplit: split_lengths needs a static 1-D shape, found \(inputs[2].shape)")
        }
        guard let dims = data.shape.dims, let a = try SplitCopy.axis(inputs[1], rank: dims.count, "VariadicSplit"),
              let lengths = Movement.knownInts(inputs[2]) else {
            return Array(repeating: ValueInfo(data.elementType, .dynamicRank), count: count)
        }
        guard lengths.filter({ $0 == -1 }).count <= 1, lengths.allSatisfy({ $0 >= -1 }) else {
            throw OVIRError("VariadicSplit: split_lengths \(lengths) may hold at most one -1 and no other negative value")
        }
        var resolved = lengths.map { $0 == -1 ? Dimension.dynamic : Dimension.fixed($0) }
        if let n = dims[a].staticValue {
            let known = lengths.filter { $0 != -1 }.reduce(0, +)
            if let m = lengths.firstIndex(of: -1) {
                guard known <= n else { throw OVIRError("VariadicSplit: split_lengths \(lengths) exceed dim \(a) = \(n)") }
                resolved[m] = .fixed(n - known)
            } else if known != n {
                throw OVIRError("VariadicSplit: split_lengths \(lengths) sum to \(known); expected dim \(a) = \(n)")
            }
        }
        return resolved.map { d in
            var out = dims
            out[a] = d
            return ValueInfo(data.elementType, PartialShape(out))
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = try Movement.axis(try Movement.scalarInt(inputs[1], "VariadicSplit axis"), rank: inputs[0].rank, "VariadicSplit axis")
        try SplitCopy.run(inputs[0], axis: a, &outputs, "VariadicSplit")
    }
}
