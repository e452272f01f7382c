/// How scattered values combine with what is already there.
enum ScatterReduction: String {
    case none, sum, sub, prod, min, max, mean

    /// The value a target starts from when `use_init_val` is false.
    func identity<T: MovementNumber>(_: T.Type) -> T {
        switch self {
        case .prod: return 1
        case .min: return T(movementDouble: .greatestFiniteMagnitude)
        case .max: return T(movementDouble: -.greatestFiniteMagnitude)
        default: return 0
        }
    }

    @inline(__always)
    func combine<T: MovementNumber>(_ old: T, _ new: T) -> T {
        switch self {
        case .none: return new
        case .sum, .mean: return old + new
        case .sub: return old - new
        case .prod: return old * new
        case .min: return Swift.min(old, new)
        case .max: return Swift.max(old, new)
        }
    }
}

/// Applies `(target, source)` element pairs from `updates` into `out` with a reduction.
struct ScatterApply: MovementTask {
    let out: UnsafeMutableRawPointer
    let updates: UnsafeRawPointer
    let pairs: [(target: Int, source: Int)]
    let reduction: ScatterReduction
    let useInitVal: Bool
    let count: Int

    func callAsFunction<T: MovementNumber>(_: T.Type) throws {
        let o = out.assumingMemoryBound(to: T.self), u = updates.assumingMemoryBound(to: T.self)
        if !useInitVal && reduction != .none {
            let id = reduction.identity(T.self)
            for (t, _) in pairs { o[t] = id }
        }
        var hits: [Int] = reduction == .mean ? Array(repeating: 0, count: count) : []
        for (t, s) in pairs {
            o[t] = reduction.combine(o[t], u[s])
            if reduction == .mean { hits[t] += 1 }
        }
        if reduction == .mean {
            for t in 0..<count where hits[t] > 0 {
                let n = hits[t] + (useInitVal ? 1 : 0)
                o[t] = T.movementDivide(o[t], T(movementDouble: Double(n)))
            }
        }
    }
}

extension ScatterApply {
    /// Copies data into out, then applies the pairs (a plain byte copy when there is no reduction).
    static func run(_ data: Tensor, _ updates: Tensor, pairs: [(Int, Int)], reduction: ScatterReduction,
                    useInitVal: Bool, into out: inout Tensor, _ op: String) throws {
        let es = try Movement.elementSize(data.elementType, op)
        Movement.copyAll(data, into: &out)
        guard updates.elementType == data.elementType else {
            throw OVIRError("\(op): updates are \(updates.elementType.rawValue); expected the data type \(data.elementType.rawValue)")
        }
        if reduction == .none {
            for (t, s) in pairs { (out.rawPointer + t * es).copyMemory(from: updates.rawPointer + s * es, byteCount: es) }
            return
        }
        try Movement.dispatch(data.elementType, op, ScatterApply(out: out.rawPointer, updates: updates.rawPointer, pairs: pairs,
                                                                 reduction: reduction, useInitVal: useInitVal, count: out.count))
    }
}

/// ScatterElementsUpdate-3 / ScatterElementsUpdate-12: writes each update to the data position with
/// the `axis` coordinate taken from `indices`, combined by `reduction` (12) from the data value or,
/// without `use_init_val`, from the reduction's identity.
final class ScatterElementsUpdateKernel: Kernel {
    let reduction: ScatterReduction
    let useInitVal: Bool

    init(_ a: Attributes, version: Int) throws {
        if version >= 12 {
            let r = try a.choice("reduction", ["none", "sum", "prod", "min", "max", "mean"], default: "none")
            reduction = ScatterReduction(rawValue: r) ?? .none
            useInitVal = try a.bool("use_init_val", default: true)
        } else {
            reduction = .none
            useInitVal = true
        }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 4 else { throw OVIRError("ScatterElementsUpdate expects 4 inputs (data, indices, updates, axis), found \(inputs.count)") }
        try Movement.requireInteger(inputs[1], "ScatterElementsUpdate indices")
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let data = inputs[0], ind = inputs[1]
        let a = try Movement.axis(try Movement.scalarInt(inputs[3], "ScatterElementsUpdate axis"), rank: data.rank, "ScatterElementsUpdate axis")
        guard ind.shape == inputs[2].shape, ind.rank == data.rank else {
            throw OVIRError("ScatterElementsUpdate: indices \(ind.shape) and updates \(inputs[2].shape) must have one shape of the data's rank \(data.rank)")
        }
        let ds = contiguousStrides(data.shape)
        let pre = Movement.offsets(Array(ind.shape[..<a]), Array(ds[..<a]))
        let post = Movement.offsets(Array(ind.shape[(a + 1)...]), Array(ds[(a + 1)...]))
        let n = data.shape[a], m = ind.shape[a]
        let idx = Movement.ints(ind)
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(idx.count)
        var s = 0
        for p in pre {
            for _ in 0..<m {
                for q in post {
                    var k = idx[s]
                    if k < 0 { k += n }
                    guard k >= 0 && k < n else { throw OVIRError("ScatterElementsUpdate: index \(idx[s]) is out of range for axis size \(n)") }
                    pairs.append((p + k * ds[a] + q, s))
                    s += 1
                }
            }
        }
        try ScatterApply.run(data, inputs[2], pairs: pairs, reduction: reduction, useInitVal: useInitVal, into: &outputs[0], "ScatterElementsUpdate")
    }
}

/// ScatterNDUpdate-3 / ScatterNDUpdate-15: writes update slices at the index tuples in the last
/// dim of `indices` (15: combined by `reduction`).
final class ScatterNDUpdateKernel: Kernel {
    let reduction: ScatterReduction
    init(_ a: Attributes, version: Int) throws {
        reduction = version >= 15
            ? ScatterReduction(rawValue: try a.choice("reduction", ["none", "sum", "sub", "prod", "min", "max"], default: "none")) ?? .none
            : .none
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 else { throw OVIRError("ScatterNDUpdate expects 3 inputs (data, indices, updates), found \(inputs.count)") }
        try Movement.requireInteger(inputs[1], "ScatterNDUpdate indices")
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let data = inputs[0], ind = inputs[1]
        let k = ind.shape.last ?? 0
        guard k <= data.rank else { throw OVIRError("ScatterNDUpdate: index tuples of length \(k) exceed the data rank \(data.rank)") }
        let slice = data.shape[k...].reduce(1, *)
        let strides = contiguousStrides(data.shape)
        let idx = Movement.ints(ind)
        let tuples = k == 0 ? ind.count : idx.count / k
        guard inputs[2].count == tuples * slice else {
            throw OVIRError("ScatterNDUpdate: updates \(inputs[2].shape) should hold \(tuples) slices of \(slice) elements")
        }
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(tuples * slice)
        for t in 0..<tuples {
            var off = 0
            for j in 0..<k {
                var v = idx[t * k + j]
                if v < 0 { v += data.shape[j] }
                guard v >= 0 && v < data.shape[j] else { throw OVIRError("ScatterNDUpdate: index \(idx[t * k + j]) is out of range for dim size \(data.shape[j])") }
                off += v * strides[j]
            }
            for e in 0..<slice { pairs.append((off + e, t * slice + e)) }
        }
        try ScatterApply.run(data, inputs[2], pairs: pairs, reduction: reduction, useInitVal: true, into: &outputs[0], "ScatterNDUpdate")
    }
}

/// ScatterUpdate-3: writes update slices at the positions along `axis` listed in `indices`
/// (updates have shape `data[:axis] + indices + data[axis+1:]`).
final class ScatterUpdateKernel: Kernel {
    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 4 else { throw OVIRError("ScatterUpdate expects 4 inputs (data, indices, updates, axis), found \(inputs.count)") }
        try Movement.requireInteger(inputs[1], "ScatterUpdate indices")
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let data = inputs[0], upd = inputs[2]
        let es = try Movement.elementSize(data.elementType, "ScatterUpdate")
        let a = try Movement.axis(try Movement.scalarInt(inputs[3], "ScatterUpdate axis"), rank: data.rank, "ScatterUpdate axis")
        let idx = Movement.ints(inputs[1])
        let outer = data.shape[..<a].reduce(1, *), n = data.shape[a]
        let inner = data.shape[(a + 1)...].reduce(1, *) * es
        guard upd.count == outer * idx.count * inner / Swift.max(es, 1), upd.elementType == data.elementType else {
            throw OVIRError("ScatterUpdate: updates \(upd.elementType.rawValue)\(upd.shape) do not match data \(data.shape) with \(idx.count) indices at axis \(a)")
        }
        Movement.copyAll(data, into: &outputs[0])
        let dst = outputs[0].rawPointer
        for o in 0..<outer {
            for (j, raw) in idx.enumerated() {
                let k = raw < 0 ? raw + n : raw
                guard k >= 0 && k < n else { throw OVIRError("ScatterUpdate: index \(raw) is out of range for axis size \(n)") }
                (dst + (o * n + k) * inner).copyMemory(from: upd.rawPointer + (o * idx.count + j) * inner, byteCount: inner)
            }
        }
    }
}
