/// Einsum-7: sums products of the inputs' elements over the labels that the equation's output
/// does not keep (`ij,jk->ik`, `ii->i`, `...ij->...ji`). Without `->`, the output is the ellipsis
/// followed by the labels used once, in alphabetical order. A label repeated in one input reads
/// its diagonal; ellipsis dims broadcast as numpy does.
final class EinsumKernel: Kernel {
    /// Input subscripts: letters as label ids, `-1` for the ellipsis.
    let inputLabels: [[Int]]
    let outputLabels: [Int]
    let equation: String

    init(node: Node) throws {
        let equation = try node.attributes.string("equation").filter { !$0.isWhitespace }
        self.equation = equation
        let sides = equation.components(separatedBy: "->")
        guard sides.count <= 2 else { throw OVIRError("attribute 'equation': expected at most one '->', found \"\(equation)\"") }
        let inputLabels = try sides[0].components(separatedBy: ",").map { try Self.parse($0, equation) }
        self.inputLabels = inputLabels
        if sides.count == 2 {
            outputLabels = try Self.parse(sides[1], equation)
            let used = Set(inputLabels.joined())
            for l in outputLabels where !used.contains(l) {
                throw OVIRError("attribute 'equation': output label \(l == -1 ? "..." : String(UnicodeScalar(UInt8(l)))) is not in any input (\"\(equation)\")")
            }
        } else {
            var counts: [Int: Int] = [:]
            for l in inputLabels.joined() where l >= 0 { counts[l, default: 0] += 1 }
            let hasEllipsis = inputLabels.contains { $0.contains(-1) }
            outputLabels = (hasEllipsis ? [-1] : []) + counts.filter { $0.value == 1 }.keys.sorted()
        }
    }

    private static func parse(_ s: String, _ eq: String) throws -> [Int] {
        var out: [Int] = []
        var rest = Substring(s)
        while let c = rest.first {
            if rest.hasPrefix("...") {
                guard !out.contains(-1) else { throw OVIRError("attribute 'equation': more than one ellipsis in a subscript (\"\(eq)\")") }
                out.append(-1)
                rest = rest.dropFirst(3)
            } else {
                guard c.isASCII, c.isLetter, let v = c.asciiValue else {
                    throw OVIRError("attribute 'equation': expected letters, ',', '->' or '...', found '\(c)' (\"\(eq)\")")
                }
                out.append(Int(v))
                rest = rest.dropFirst()
            }
        }
        return out
    }

    /// Label ids per input dim (ellipsis dims get ids -1, -2, … from the innermost), and their sizes.
    private func resolve(_ shapes: [[Int]]) throws -> (dims: [[Int]], sizes: [Int: Int], ellipsisRank: Int) {
        guard shapes.count == inputLabels.count else {
            throw OVIRError("equation \"\(equation)\" has \(inputLabels.count) input(s), found \(shapes.count)")
        }
        var sizes: [Int: Int] = [:]
        var dims: [[Int]] = []
        var ellipsisRank = 0
        for (labels, shape) in zip(inputLabels, shapes) {
            let letters = labels.filter { $0 >= 0 }.count
            let e = labels.contains(-1) ? shape.count - letters : 0
            guard e >= 0, labels.contains(-1) || shape.count == letters else {
                throw OVIRError("subscript of \(labels.count) label(s) does not fit an input of shape \(shape) (\"\(equation)\")")
            }
            ellipsisRank = Swift.max(ellipsisRank, e)
            var ids: [Int] = []
            for l in labels { if l == -1 { ids += (0..<e).map { -(e - $0) } } else { ids.append(l) } }
            for (id, d) in zip(ids, shape) {
                if let old = sizes[id], old != d {
                    guard old == 1 || d == 1 else {
                        throw OVIRError("label sizes disagree: \(old) and \(d) (shapes \(shapes), \"\(equation)\")")
                    }
                    sizes[id] = Swift.max(old, d)
                } else {
                    sizes[id] = d
                }
            }
            dims.append(ids)
        }
        return (dims, sizes, ellipsisRank)
    }

    private func outputIDs(ellipsisRank e: Int) -> [Int] {
        outputLabels.flatMap { $0 == -1 ? (0..<e).map { -(e - $0) } : [$0] }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard let type = inputs.first?.elementType else { throw OVIRError("Einsum expects at least one input") }
        for v in inputs where v.elementType != type {
            throw OVIRError("Einsum inputs must share one element type, found \(inputs.map(\.elementType.rawValue))")
        }
        guard let shapes = Optional(inputs.compactMap(\.shape.staticShape)), shapes.count == inputs.count else {
            return [ValueInfo(type, .dynamicRank)]
        }
        let r = try resolve(shapes)
        return [ValueInfo(type, outputIDs(ellipsisRank: r.ellipsisRank).map { r.sizes[$0]! })]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let r = try resolve(inputs.map(\.shape))
        let outIDs = outputIDs(ellipsisRank: r.ellipsisRank)
        let summed = Set(r.dims.joined()).subtracting(outIDs).sorted()
        let all = outIDs + summed
        let extents = all.map { r.sizes[$0]! }
        // Strides of every input along every label (summed over a repeated label: the diagonal;
        // zero where the input's dim is 1 and broadcasts).
        let strides: [[Int]] = zip(inputs, r.dims).map { t, ids in
            let s = contiguousStrides(t.shape)
            return all.map { l in ids.indices.filter { ids[$0] == l && t.shape[$0] != 1 }.reduce(0) { $0 + s[$1] } }
        }
        let values = inputs.map { $0.doubleValues() }
        let sumCount = summed.reduce(1) { $0 * r.sizes[$1]! }
        let outCount = outputs[0].count
        var idx = [Int](repeating: 0, count: all.count)
        var offsets = [Int](repeating: 0, count: inputs.count)
        let isF32 = outputs[0].elementType == .f32
        let outF32 = outputs[0].pointer(Float.self)
        for o in 0..<outCount {
            var acc = 0.0
            for _ in 0..<(extents.isEmpty ? 1 : sumCount) {
                var p = 1.0
                for k in 0..<values.count { p *= values[k][offsets[k]] }
                acc += p
                // Odometer over all labels, innermost last.
                var a = all.count - 1
                while a >= 0 {
                    idx[a] += 1
                    for k in 0..<offsets.count { offsets[k] += strides[k][a] }
                    if idx[a] < extents[a] { break }
                    for k in 0..<offsets.count { offsets[k] -= strides[k][a] * extents[a] }
                    idx[a] = 0
                    a -= 1
                }
            }
            if isF32 { outF32[o] = Float(acc) } else { outputs[0].setDouble(acc, at: o) }
        }
    }
}
