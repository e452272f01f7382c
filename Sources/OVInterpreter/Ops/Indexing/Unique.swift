/// Unique-10: the distinct elements (or, with the axis input, distinct slices along that axis),
/// sorted ascending or in order of first occurrence, with the index of each one's first occurrence,
/// each input item's position among them, and their counts.
final class UniqueKernel: Kernel {
    let sorted: Bool
    let indexType, countType: ElementType
    var allocatesOutputs: Bool { true }

    init(_ a: Attributes) throws {
        sorted = try a.bool("sorted", default: true)
        indexType = try Movement.indexType(a, "index_element_type")
        countType = try Movement.indexType(a, "count_element_type")
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 || inputs.count == 2 else { throw OVIRError("Unique expects 1 or 2 inputs (data[, axis]), found \(inputs.count)") }
        let d = inputs[0]
        var first = PartialShape([.dynamic])
        if inputs.count == 2, let r = d.shape.rank {
            first = Movement.dynamicDims(r)
        } else if inputs.count == 2 {
            first = .dynamicRank
        }
        return [ValueInfo(d.elementType, first), ValueInfo(indexType, PartialShape([.dynamic])),
                ValueInfo(indexType, PartialShape([.dynamic])), ValueInfo(countType, PartialShape([.dynamic]))]
    }

    /// Groups of equal items, each listed by item index (ascending), ordered as the output wants.
    struct Group: MovementTask {
        let p: UnsafeRawPointer
        let items, outer, n, inner: Int
        let sorted: Bool
        let result: UnsafeMutablePointer<[[Int]]>

        func callAsFunction<T: MovementNumber>(_: T.Type) throws {
            let x = p.assumingMemoryBound(to: T.self)
            // Item `i` is the slice at position i along the axis: elements (o * n + i) * inner + k.
            func compare(_ a: Int, _ b: Int) -> Int {
                for o in 0..<outer {
                    for k in 0..<inner {
                        let u = x[(o * n + a) * inner + k], v = x[(o * n + b) * inner + k]
                        if u < v { return -1 }
                        if v < u { return 1 }
                    }
                }
                return 0
            }
            let order = (0..<items).sorted { a, b in
                let c = compare(a, b)
                return c != 0 ? c < 0 : a < b
            }
            var groups: [[Int]] = []
            for i in order {
                if let last = groups.last?.first, compare(last, i) == 0 { groups[groups.count - 1].append(i) } else { groups.append([i]) }
            }
            if !sorted { groups.sort { $0[0] < $1[0] } }
            result.pointee = groups
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let es = try Movement.elementSize(x.elementType, "Unique")
        var axis: Int? = nil
        if inputs.count == 2 { axis = try Movement.axis(try Movement.scalarInt(inputs[1], "Unique axis"), rank: x.rank, "Unique axis") }
        let s = x.shape
        let outer = axis.map { s[..<$0].reduce(1, *) } ?? 1
        let n = axis.map { s[$0] } ?? x.count
        let inner = axis.map { s[($0 + 1)...].reduce(1, *) } ?? 1
        var groups: [[Int]] = []
        try withUnsafeMutablePointer(to: &groups) {
            try Movement.dispatch(x.elementType == .boolean ? .u8 : x.elementType, "Unique",
                                  Group(p: x.rawPointer, items: n, outer: outer, n: n, inner: inner, sorted: sorted, result: $0))
        }
        let g = groups.count
        var outShape = [g]
        if let a = axis { outShape = s; outShape[a] = g }
        var values = Tensor(zeros: x.elementType, shape: outShape)
        let row = inner * es
        for (j, grp) in groups.enumerated() {
            for o in 0..<outer {
                (values.rawPointer + (o * g + j) * row).copyMemory(from: x.rawPointer + (o * n + grp[0]) * row, byteCount: row)
            }
        }
        var reverse = [Int](repeating: 0, count: n)
        for (j, grp) in groups.enumerated() { for i in grp { reverse[i] = j } }
        outputs.append(values)
        outputs.append(Movement.intTensor(groups.map { $0[0] }, indexType, shape: [g]))
        outputs.append(Movement.intTensor(reverse, indexType, shape: [n]))
        outputs.append(Movement.intTensor(groups.map(\.count), countType, shape: [g]))
    }
}
