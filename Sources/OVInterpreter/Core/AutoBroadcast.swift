/// Broadcasting rules shared by elementwise ops (`auto_broadcast` = numpy, pdpd, none) and the
/// index arithmetic to read broadcast inputs.
public enum AutoBroadcast: Sendable, Equatable {
    case none
    case numpy
    /// PDPD: the second input's shape aligns to the first's starting at `axis` (-1: trailing).
    case pdpd(axis: Int)

    /// Parses a node's `auto_broadcast` (default numpy) and `axis` attributes.
    public init(_ attributes: Attributes, default d: String = "numpy") throws {
        switch try attributes.choice("auto_broadcast", ["none", "explicit", "numpy", "pdpd"], default: d) {
        case "none", "explicit": self = .none
        case "pdpd": self = .pdpd(axis: try attributes.int("axis", default: -1))
        default: self = .numpy
        }
    }

    /// The output shape for two input shapes, or an error naming both.
    public func shape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        switch self {
        case .none:
            guard a == b else { throw OVIRError("inputs must have equal shapes (auto_broadcast none), found \(a) and \(b)") }
            return a
        case .numpy:
            let r = Swift.max(a.count, b.count)
            let pa = Array(repeating: 1, count: r - a.count) + a, pb = Array(repeating: 1, count: r - b.count) + b
            return try zip(pa, pb).map { x, y in
                if x == y || y == 1 { return x }
                if x == 1 { return y }
                throw OVIRError("shapes \(a) and \(b) cannot be broadcast (numpy rules)")
            }
        case .pdpd(let axis):
            let (start, dims) = AutoBroadcast.pdpdAlignment(input: b, outputRank: a.count, axis: axis)
            guard start >= 0, start + dims.count <= a.count else {
                throw OVIRError("shape \(b) cannot be broadcast to \(a) at axis \(axis) (pdpd rules)")
            }
            for (k, d) in dims.enumerated() where d != 1 && d != a[start + k] {
                throw OVIRError("shape \(b) cannot be broadcast to \(a) at axis \(axis) (pdpd rules)")
            }
            return a
        }
    }

    /// Output partial shape (dynamic dims stay dynamic unless the other side fixes them).
    public func partialShape(_ a: PartialShape, _ b: PartialShape) throws -> PartialShape {
        if let sa = a.staticShape, let sb = b.staticShape { return PartialShape(static: try shape(sa, sb)) }
        guard let da = a.dims, let db = b.dims else { return .dynamicRank }
        switch self {
        case .none: return a
        case .pdpd: return a
        case .numpy:
            let r = Swift.max(da.count, db.count)
            let pa = Array(repeating: Dimension.fixed(1), count: r - da.count) + da
            let pb = Array(repeating: Dimension.fixed(1), count: r - db.count) + db
            return PartialShape(zip(pa, pb).map { x, y in
                if x == .fixed(1) { return y }
                if y == .fixed(1) { return x }
                if x.isStatic { return x }
                return y
            })
        }
    }

    /// PDPD alignment: where the second input's dims start in the output, and those dims (trailing
    /// 1s dropped, as PDPD ignores them). axis -1 aligns the trailing dims.
    static func pdpdAlignment(input: [Int], outputRank: Int, axis: Int) -> (Int, [Int]) {
        var dims = input
        while let last = dims.last, last == 1 { dims.removeLast() }
        let start = axis < 0 ? outputRank - input.count : axis
        return (start, dims)
    }

    /// Element strides to read `input` (shape `inShape`) at each index of `outShape`: 0 along broadcast
    /// axes. The result has `outShape.count` entries.
    public func readStrides(input inShape: [Int], output outShape: [Int]) -> [Int] {
        let r = outShape.count
        var aligned = Array(repeating: 1, count: r)
        switch self {
        case .pdpd(let axis):
            let (start, dims) = AutoBroadcast.pdpdAlignment(input: inShape, outputRank: r, axis: axis)
            for (k, d) in dims.enumerated() where start + k < r && start + k >= 0 { aligned[start + k] = d }
        default:
            for (k, d) in inShape.enumerated() { aligned[r - inShape.count + k] = d }
        }
        var strides = Array(repeating: 0, count: r)
        var acc = 1
        for k in stride(from: r - 1, through: 0, by: -1) {
            strides[k] = aligned[k] == 1 && outShape[k] != 1 ? 0 : acc
            acc *= aligned[k]
        }
        return strides
    }
}

/// Contiguous strides (in elements) of a C-ordered shape.
@inlinable
public func contiguousStrides(_ shape: [Int]) -> [Int] {
    var s = Array(repeating: 1, count: shape.count)
    var acc = 1
    for k in stride(from: shape.count - 1, through: 0, by: -1) { s[k] = acc; acc *= shape[k] }
    return s
}

/// Calls `body(outIndex, offsetA, offsetB)` for every element of `outShape`, with the offsets into
/// two inputs read with `stridesA`/`stridesB` (from ``AutoBroadcast/readStrides(input:output:)``).
/// The innermost axis runs as a tight loop.
@inlinable
public func forEachBroadcast(_ outShape: [Int], _ stridesA: [Int], _ stridesB: [Int],
                             _ body: (Int, Int, Int) -> Void) {
    let total = outShape.reduce(1, *)
    if total == 0 { return }
    let r = outShape.count
    if r == 0 { body(0, 0, 0); return }
    let inner = outShape[r - 1], sa = stridesA[r - 1], sb = stridesB[r - 1]
    var idx = Array(repeating: 0, count: r)
    var offA = 0, offB = 0, out = 0
    while out < total {
        for i in 0..<inner { body(out + i, offA + i * sa, offB + i * sb) }
        out += inner
        // advance the outer multi-index
        var k = r - 2
        while k >= 0 {
            idx[k] += 1
            offA += stridesA[k]
            offB += stridesB[k]
            if idx[k] < outShape[k] { break }
            offA -= stridesA[k] * outShape[k]
            offB -= stridesB[k] * outShape[k]
            idx[k] = 0
            k -= 1
        }
        if k < 0 { break }
    }
}
