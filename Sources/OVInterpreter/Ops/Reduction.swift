/// Reduction ops: ReduceSum-1, ReduceMean-1, ReduceMax-1, ReduceMin-1, ReduceProd-1, ReduceL1-4,
/// ReduceL2-4, ReduceLogicalAnd-1 and ReduceLogicalOr-1.
enum ReductionOps {
    static let definitions: [OpDefinition] = ReduceKernel.Kind.allCases.map { kind in
        OpDefinition(kind.rawValue, kind.version) { node in try ReduceKernel(node, kind: kind) }
    }
}

/// ReduceSum-1, ReduceMean-1, ReduceMax-1, ReduceMin-1, ReduceProd-1, ReduceL1-4, ReduceL2-4,
/// ReduceLogicalAnd-1, ReduceLogicalOr-1: reduce `data` over the axes of the second input.
///
/// Negative axes count from the end; an empty axes list reduces nothing (the output equals the
/// input, as OpenVINO does). `keep_dims` keeps reduced dims as 1. Reducing an empty range gives the
/// operation's identity (0 for sums, 1 for products, -inf/+inf for max/min, NaN for a mean).
/// Floating-point data is reduced in f32, integers in Int64, booleans logically.
final class ReduceKernel: Kernel {
    enum Kind: String, CaseIterable {
        case sum = "ReduceSum", mean = "ReduceMean", max = "ReduceMax", min = "ReduceMin", prod = "ReduceProd"
        case l1 = "ReduceL1", l2 = "ReduceL2", logicalAnd = "ReduceLogicalAnd", logicalOr = "ReduceLogicalOr"

        var version: Int { self == .l1 || self == .l2 ? 4 : 1 }
        var isLogical: Bool { self == .logicalAnd || self == .logicalOr }
    }

    let kind: Kind
    let keepDims: Bool

    init(_ node: Node, kind: Kind) throws {
        self.kind = kind
        keepDims = try node.attributes.bool("keep_dims", default: false)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("\(kind.rawValue) takes 2 inputs (data, axes), found \(inputs.count)") }
        let x = inputs[0]
        if kind.isLogical {
            guard x.elementType == .boolean else { throw OVIRError("\(kind.rawValue) expects boolean data, found \(x.elementType.rawValue)") }
        } else if x.elementType == .boolean {
            throw OVIRError("\(kind.rawValue) does not accept boolean data")
        }
        guard inputs[1].elementType.isInteger else {
            throw OVIRError("\(kind.rawValue): axes must be integers, found \(inputs[1].elementType.rawValue)")
        }
        guard let dims = x.shape.dims, let axesValue = inputs[1].value else {
            if keepDims, let dims = x.shape.dims { return [ValueInfo(x.elementType, PartialShape(dims.map { _ in .dynamic }))] }
            return [ValueInfo(x.elementType, .dynamicRank)]
        }
        let axes = Set(try normalizeAxes(intValues(axesValue), rank: dims.count, kind.rawValue))
        var out: [Dimension] = []
        for (d, dim) in dims.enumerated() {
            if !axes.contains(d) { out.append(dim) } else if keepDims { out.append(.fixed(1)) }
        }
        return [ValueInfo(x.elementType, PartialShape(out))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let axes = Set(try normalizeAxes(intValues(inputs[1]), rank: x.rank, kind.rawValue))
        // Where each input element lands: output strides over the input's dims, 0 on reduced axes.
        var keptShape = x.shape
        for a in axes { keptShape[a] = 1 }
        let keptStrides = contiguousStrides(keptShape)
        let outStrides = x.shape.indices.map { axes.contains($0) ? 0 : keptStrides[$0] }
        let inStrides = contiguousStrides(x.shape)
        let outCount = outputs[0].count
        let reducedCount = axes.reduce(1) { $0 * x.shape[$1] }
        let kind = self.kind

        if x.elementType.isFloatingPoint {
            withF32(x) { xp in
                writeF32(&outputs[0]) { yp in
                    let initial: Float = kind == .prod ? 1 : kind == .max ? -.infinity : kind == .min ? .infinity : 0
                    yp.update(repeating: initial, count: outCount)
                    forEachBroadcast(x.shape, inStrides, outStrides) { _, i, o in
                        let v = xp[i]
                        switch kind {
                        case .sum, .mean: yp[o] += v
                        case .prod: yp[o] *= v
                        case .max: if v > yp[o] || v.isNaN { yp[o] = v }
                        case .min: if v < yp[o] || v.isNaN { yp[o] = v }
                        case .l1: yp[o] += Swift.abs(v)
                        case .l2: yp[o] += v * v
                        case .logicalAnd, .logicalOr: break
                        }
                    }
                    if kind == .mean {
                        for o in 0..<outCount { yp[o] /= Float(reducedCount) }
                    } else if kind == .l2 {
                        for o in 0..<outCount { yp[o] = yp[o].squareRoot() }
                    }
                }
            }
        } else if x.elementType == .boolean {
            let xp = x.pointer(UInt8.self), yp = outputs[0].pointer(UInt8.self)
            let isAnd = kind == .logicalAnd
            yp.update(repeating: isAnd ? 1 : 0, count: outCount)
            forEachBroadcast(x.shape, inStrides, outStrides) { _, i, o in
                let v: UInt8 = xp[i] != 0 ? 1 : 0
                yp[o] = isAnd ? (yp[o] & v) : (yp[o] | v)
            }
        } else {
            let xv = x.int64Values()
            let initial: Int64 = kind == .prod ? 1 : kind == .max ? .min : kind == .min ? .max : 0
            var acc = [Int64](repeating: initial, count: outCount)
            forEachBroadcast(x.shape, inStrides, outStrides) { _, i, o in
                let v = xv[i]
                switch kind {
                case .sum, .mean: acc[o] &+= v
                case .prod: acc[o] &*= v
                case .max: acc[o] = Swift.max(acc[o], v)
                case .min: acc[o] = Swift.min(acc[o], v)
                case .l1: acc[o] &+= Swift.abs(v)
                case .l2: acc[o] &+= v &* v
                case .logicalAnd, .logicalOr: break
                }
            }
            if kind == .mean && reducedCount > 0 { acc = acc.map { $0 / Int64(reducedCount) } }
            if kind == .l2 { acc = acc.map { Int64(Double($0).squareRoot()) } }
            storeInt64s(acc, into: &outputs[0])
        }
    }
}

/// Stores Int64 values into an integer tensor (wrapping to its width).
func storeInt64s(_ values: [Int64], into out: inout Tensor) {
    switch out.elementType {
    case .i64:
        let p = out.pointer(Int64.self)
        for (i, v) in values.enumerated() { p[i] = v }
    case .i32:
        let p = out.pointer(Int32.self)
        for (i, v) in values.enumerated() { p[i] = Int32(truncatingIfNeeded: v) }
    default:
        for (i, v) in values.enumerated() { out.setDouble(Double(v), at: i) }
    }
}
