/// Pad-1 / Pad-12: pads (Pad-12: or crops, with negative pads) each axis with a constant, the edge
/// value, or a reflection without (`reflect`) or with (`symmetric`) the edge element.
final class PadKernel: Kernel {
    enum Mode: String { case constant, edge, reflect, symmetric }
    let mode: Mode
    let allowNegative: Bool

    init(_ a: Attributes, allowNegative: Bool) throws {
        mode = Mode(rawValue: try a.choice("pad_mode", ["constant", "edge", "reflect", "symmetric"], default: "constant")) ?? .constant
        self.allowNegative = allowNegative
    }

    func pads(_ begin: [Int], _ end: [Int], rank: Int) throws -> ([Int], [Int]) {
        guard begin.count == rank, end.count == rank else {
            throw OVIRError("Pad: pads_begin \(begin) and pads_end \(end) must have one entry per input axis (\(rank))")
        }
        if !allowNegative, (begin + end).contains(where: { $0 < 0 }) {
            throw OVIRError("Pad-1: pads \(begin), \(end) are negative; negative pads need Pad-12")
        }
        return (begin, end)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 || inputs.count == 4 else { throw OVIRError("Pad expects 3 or 4 inputs (data, pads_begin, pads_end[, pad_value]), found \(inputs.count)") }
        let t = inputs[0].elementType
        if inputs.count == 4, inputs[3].elementType != t {
            throw OVIRError("Pad: pad_value is \(inputs[3].elementType.rawValue); expected the data type \(t.rawValue)")
        }
        guard let dims = inputs[0].shape.dims else { return [ValueInfo(t, .dynamicRank)] }
        guard let b = Movement.knownInts(inputs[1]), let e = Movement.knownInts(inputs[2]) else {
            return [ValueInfo(t, Movement.dynamicDims(dims.count))]
        }
        let (pb, pe) = try pads(b, e, rank: dims.count)
        var out: [Dimension] = []
        for k in dims.indices {
            guard let n = dims[k].staticValue else { out.append(.dynamic); continue }
            let m = n + pb[k] + pe[k]
            guard m >= 0 else { throw OVIRError("Pad: axis \(k) of size \(n) with pads \(pb[k]), \(pe[k]) would have negative size \(m)") }
            if mode != .constant && m > 0 && n == 0 {
                throw OVIRError("Pad (\(mode.rawValue)): axis \(k) is empty; there is no value to pad with")
            }
            out.append(.fixed(m))
        }
        return [ValueInfo(t, PartialShape(out))]
    }

    /// The source index along an axis of size `n` for output position `i` (already shifted by the
    /// begin pad), for the non-constant modes.
    func source(_ i: Int, _ n: Int) -> Int {
        var i = i
        switch mode {
        case .constant, .edge: return Swift.min(Swift.max(i, 0), n - 1)
        case .reflect:
            if n == 1 { return 0 }
            let period = 2 * (n - 1)
            i = ((i % period) + period) % period
            return i < n ? i : period - i
        case .symmetric:
            let period = 2 * n
            i = ((i % period) + period) % period
            return i < n ? i : period - 1 - i
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let es = try Movement.elementSize(x.elementType, "Pad")
        let (pb, _) = try pads(Movement.ints(inputs[1]), Movement.ints(inputs[2]), rank: x.rank)
        let outShape = outputs[0].shape
        let dst = outputs[0].rawPointer
        if outputs[0].count == 0 { return }
        let inStrides = contiguousStrides(x.shape), outStrides = contiguousStrides(outShape)
        if mode == .constant || x.count == 0 {
            if inputs.count == 4 {
                Movement.fill(dst, count: outputs[0].count, with: inputs[3].rawPointer, elementSize: es)
            } else {
                dst.initializeMemory(as: UInt8.self, repeating: 0, count: outputs[0].byteCount)
            }
            var box: [Int] = [], srcOff = 0, dstOff = 0
            for k in outShape.indices {
                let lo = Swift.max(0, pb[k]), hi = Swift.min(outShape[k], pb[k] + x.shape[k])
                box.append(Swift.max(hi - lo, 0))
                srcOff += (lo - pb[k]) * inStrides[k]
                dstOff += lo * outStrides[k]
            }
            if box.contains(0) { return }
            Movement.copyBox(box, src: x.rawPointer + srcOff * es, inStrides, dst: dst + dstOff * es, outStrides, elementSize: es)
            return
        }
        // Per-axis tables of source element offsets, then an odometer over the output.
        let tables = outShape.indices.map { k in (0..<outShape[k]).map { source($0 - pb[k], x.shape[k]) * inStrides[k] } }
        PadKernel.tableCopy(tables, src: x.rawPointer, dst: dst, elementSize: es)
    }

    /// `dst[j0, j1, …] = src[tables[0][j0] + tables[1][j1] + …]` over the shape of `tables`.
    /// The last axis is copied as runs of consecutive source elements (one copy for the unpadded
    /// middle of a row, single elements for reflected or repeated ones).
    static func tableCopy(_ tables: [[Int]], src: UnsafeRawPointer, dst: UnsafeMutableRawPointer, elementSize es: Int) {
        let r = tables.count
        if r == 0 { dst.copyMemory(from: src, byteCount: es); return }
        let inner = tables[r - 1]
        // Runs of the last axis: (first output position, source offset, length).
        var runs: [(at: Int, from: Int, count: Int)] = []
        for (j, off) in inner.enumerated() {
            if let last = runs.last, last.from + last.count == off { runs[runs.count - 1].count += 1 } else { runs.append((j, off, 1)) }
        }
        var idx = [Int](repeating: 0, count: r - 1)
        var base = (0..<(r - 1)).reduce(0) { $0 + tables[$1][0] }
        var out = dst
        while true {
            for run in runs {
                let from = src + (base + run.from) * es, to = out + run.at * es
                if run.count == 1 && es == 4 {
                    to.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
                } else {
                    to.copyMemory(from: from, byteCount: run.count * es)
                }
            }
            out += inner.count * es
            var k = r - 2
            while k >= 0 {
                base -= tables[k][idx[k]]
                idx[k] += 1
                if idx[k] < tables[k].count { base += tables[k][idx[k]]; break }
                idx[k] = 0
                base += tables[k][0]
                k -= 1
            }
            if k < 0 { return }
        }
    }
}
