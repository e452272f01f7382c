/// Range-1 / Range-4: `start, start + step, …` up to (not including) `stop`; the element count is
/// `max(ceil((stop - start) / step), 0)`. Range-4 casts the bounds to `output_type` first.
final class RangeKernel: Kernel {
    /// Range-4's `output_type`; nil for Range-1 (the inputs' type).
    let outputType: ElementType?
    init(outputType: ElementType?) { self.outputType = outputType }

    /// A value cast to `type` as Range-4 does (integers truncate toward zero).
    static func cast(_ v: Double, to type: ElementType) -> Double {
        type.isFloatingPoint ? v : v.rounded(.towardZero)
    }

    func count(_ start: Double, _ stop: Double, _ step: Double, type: ElementType) throws -> Int {
        let (a, b, s) = (RangeKernel.cast(start, to: type), RangeKernel.cast(stop, to: type), RangeKernel.cast(step, to: type))
        guard s != 0 else { throw OVIRError("Range: step is 0; expected a non-zero step") }
        let n = ((b - a) / s).rounded(.up)
        guard n.isFinite else { throw OVIRError("Range: start \(start), stop \(stop), step \(step) give a non-finite length") }
        return Swift.max(Int(n), 0)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 else { throw OVIRError("Range expects 3 inputs (start, stop, step), found \(inputs.count)") }
        for (i, x) in inputs.enumerated() where (x.shape.rank ?? 0) > 1 || (x.shape.staticShape.map { $0.reduce(1, *) != 1 } ?? false) {
            throw OVIRError("Range: input \(i) must be a scalar, found shape \(x.shape)")
        }
        let t = outputType ?? inputs[0].elementType
        if outputType == nil, inputs.contains(where: { $0.elementType != t }) {
            throw OVIRError("Range-1: start, stop and step must share one element type, found \(inputs.map(\.elementType.rawValue))")
        }
        guard let a = inputs[0].value, let b = inputs[1].value, let c = inputs[2].value else {
            return [ValueInfo(t, PartialShape([.dynamic]))]
        }
        return [ValueInfo(t, [try count(a.doubleValue(at: 0), b.doubleValue(at: 0), c.doubleValue(at: 0), type: t)])]
    }

    struct Fill: MovementTask {
        let start: Double, step: Double
        let out: UnsafeMutableRawPointer, n: Int
        func callAsFunction<T: MovementNumber>(_: T.Type) throws {
            let a = T(movementDouble: start), s = T(movementDouble: step)
            let p = out.assumingMemoryBound(to: T.self)
            for i in 0..<n { p[i] = a + T(movementDouble: Double(i)) * s }
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let t = outputs[0].elementType
        let start = RangeKernel.cast(inputs[0].doubleValue(at: 0), to: t)
        let step = RangeKernel.cast(inputs[2].doubleValue(at: 0), to: t)
        try Movement.dispatch(t, "Range", Fill(start: start, step: step, out: outputs[0].rawPointer, n: outputs[0].count))
    }
}

/// Eye-9: batches of matrices with ones on the diagonal shifted by `diagonal_index`.
final class EyeKernel: Kernel {
    let outputType: ElementType
    init(_ a: Attributes) throws {
        guard let t = ElementType(irName: try a.string("output_type")) else {
            throw OVIRError("attribute 'output_type': expected an element type, found \"\(a["output_type"] ?? "")\"")
        }
        outputType = t
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 || inputs.count == 4 else { throw OVIRError("Eye expects 3 or 4 inputs (num_rows, num_columns, diagonal_index[, batch_shape]), found \(inputs.count)") }
        func dim(_ i: Int) throws -> Dimension {
            guard let v = inputs[i].value else { return .dynamic }
            let n = try Movement.scalarInt(v, "Eye input \(i)")
            guard n >= 0 else { throw OVIRError("Eye: input \(i) is \(n); expected a non-negative size") }
            return .fixed(n)
        }
        var batch: [Dimension] = []
        if inputs.count == 4 {
            if let b = Movement.knownInts(inputs[3]) { batch = b.map { .fixed($0) } }
            else if let n = inputs[3].shape.staticShape?.first { batch = Array(repeating: .dynamic, count: n) }
            else { return [ValueInfo(outputType, .dynamicRank)] }
        }
        return [ValueInfo(outputType, PartialShape(batch + [try dim(0), try dim(1)]))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let es = try Movement.elementSize(outputType, "Eye")
        let shape = outputs[0].shape
        let rows = shape[shape.count - 2], cols = shape[shape.count - 1]
        let diag = try Movement.scalarInt(inputs[2], "Eye diagonal_index")
        let p = outputs[0].rawPointer
        p.initializeMemory(as: UInt8.self, repeating: 0, count: outputs[0].byteCount)
        var one = Tensor(zeros: outputType, shape: [1])
        one.setDouble(1, at: 0)
        let batches = shape.dropLast(2).reduce(1, *)
        for b in 0..<batches {
            for r in 0..<rows {
                let c = r + diag
                if c >= 0 && c < cols { (p + ((b * rows + r) * cols + c) * es).copyMemory(from: one.rawPointer, byteCount: es) }
            }
        }
    }
}

/// OneHot-1: `on_value` where the index equals the position along the new `axis`, `off_value`
/// elsewhere (indices outside `[0, depth)` give an all-off row).
final class OneHotKernel: Kernel {
    let axis: Int
    init(axis: Int) { self.axis = axis }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 4 else { throw OVIRError("OneHot expects 4 inputs (indices, depth, on_value, off_value), found \(inputs.count)") }
        let t = inputs[2].elementType
        guard inputs[3].elementType == t else {
            throw OVIRError("OneHot: on_value is \(t.rawValue) but off_value is \(inputs[3].elementType.rawValue); expected one type")
        }
        guard let dims = inputs[0].shape.dims else { return [ValueInfo(t, .dynamicRank)] }
        let a = try Movement.axis(axis, rank: dims.count + 1, "OneHot axis")
        var depth = Dimension.dynamic
        if let v = inputs[1].value {
            let d = try Movement.scalarInt(v, "OneHot depth")
            guard d >= 0 else { throw OVIRError("OneHot: depth is \(d); expected a non-negative value") }
            depth = .fixed(d)
        }
        var out = dims
        out.insert(depth, at: a)
        return [ValueInfo(t, PartialShape(out))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let es = try Movement.elementSize(outputs[0].elementType, "OneHot")
        let shape = outputs[0].shape
        let a = try Movement.axis(axis, rank: shape.count, "OneHot axis")
        let depth = shape[a], inner = shape[(a + 1)...].reduce(1, *), outer = shape[..<a].reduce(1, *)
        let p = outputs[0].rawPointer
        Movement.fill(p, count: outputs[0].count, with: inputs[3].rawPointer, elementSize: es)
        let idx = Movement.ints(inputs[0])
        for o in 0..<outer {
            for i in 0..<inner {
                let v = idx[o * inner + i]
                if v >= 0 && v < depth { (p + ((o * depth + v) * inner + i) * es).copyMemory(from: inputs[2].rawPointer, byteCount: es) }
            }
        }
    }
}
