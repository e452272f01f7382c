/// Sorting ops: TopK, NonMaxSuppression.
enum SortingOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("TopK", 1) { n in try TopKKernel(n.attributes, version: 1) },
        OpDefinition("TopK", 3) { n in try TopKKernel(n.attributes, version: 3) },
        OpDefinition("TopK", 11) { n in try TopKKernel(n.attributes, version: 11) },
        OpDefinition("NonMaxSuppression", 5) { n in try NonMaxSuppressionKernel(n.attributes) },
        OpDefinition("NonMaxSuppression", 9) { n in try NonMaxSuppressionKernel(n.attributes) },
    ]
}

/// TopK-1 / TopK-3 / TopK-11: the `k` largest (`max`) or smallest (`min`) elements along `axis` and
/// their indices, ordered by value (`value`, `none`) or by index (`index`). Equal values keep index
/// order, which is also what `stable` asks for.
final class TopKKernel: Kernel {
    let axis: Int
    let largest: Bool
    let sortByIndex: Bool
    let indexType: ElementType

    init(_ a: Attributes, version: Int) throws {
        axis = try a.int("axis")
        largest = try a.choice("mode", ["max", "min"]) == "max"
        sortByIndex = try a.choice("sort", ["value", "index", "none"], default: "none") == "index"
        indexType = try Movement.indexType(a, "index_element_type", default: "i32")
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("TopK expects 2 inputs (data, k), found \(inputs.count)") }
        try Movement.requireInteger(inputs[1], "TopK k")
        let t = inputs[0].elementType
        guard var dims = inputs[0].shape.dims else { return [ValueInfo(t, .dynamicRank), ValueInfo(indexType, .dynamicRank)] }
        let a = try Movement.axis(axis, rank: dims.count, "TopK axis")
        if let v = inputs[1].value {
            let k = try Movement.scalarInt(v, "TopK k")
            guard k >= 0 else { throw OVIRError("TopK: k is \(k); expected a non-negative value") }
            dims[a] = dims[a].staticValue.map { .fixed(Swift.min($0, k)) } ?? .dynamic
        } else {
            dims[a] = .dynamic
        }
        return [ValueInfo(t, PartialShape(dims)), ValueInfo(indexType, PartialShape(dims))]
    }

    struct Select: MovementTask {
        let src: UnsafeRawPointer, values: UnsafeMutableRawPointer
        let outer, n, inner, k: Int
        let largest, sortByIndex: Bool
        let indices: UnsafeMutablePointer<Int>

        func callAsFunction<T: MovementNumber>(_: T.Type) throws {
            let x = src.assumingMemoryBound(to: T.self), y = values.assumingMemoryBound(to: T.self)
            var order = [Int](repeating: 0, count: n)
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * n * inner + i
                    for j in 0..<n { order[j] = j }
                    order.sort { a, b in
                        let u = x[base + a * inner], v = x[base + b * inner]
                        if u == v { return a < b }
                        return largest ? u > v : u < v
                    }
                    if sortByIndex { order[0..<k].sort() }
                    for j in 0..<k {
                        let at = (o * k + j) * inner + i
                        y[at] = x[base + order[j] * inner]
                        indices[at] = order[j]
                    }
                }
            }
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let a = try Movement.axis(axis, rank: x.rank, "TopK axis")
        let s = x.shape
        let k = outputs[0].shape[a]
        var idx = [Int](repeating: 0, count: outputs[1].count)
        try idx.withUnsafeMutableBufferPointer { p in
            try Movement.dispatch(x.elementType, "TopK", Select(src: x.rawPointer, values: outputs[0].rawPointer,
                                                                outer: s[..<a].reduce(1, *), n: s[a], inner: s[(a + 1)...].reduce(1, *),
                                                                k: k, largest: largest, sortByIndex: sortByIndex, indices: p.baseAddress!))
        }
        Movement.storeInts(idx, into: &outputs[1])
    }
}
