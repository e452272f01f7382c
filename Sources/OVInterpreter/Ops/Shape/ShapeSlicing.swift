/// What a slice reads along each input axis: first index, step and count. Shared by StridedSlice
/// and Slice; `outputDims` adds new axes and drops shrunk ones.
struct SlicePlan {
    var starts: [Int]
    var steps: [Int]
    var lengths: [Int?]
    var outputDims: [Dimension]

    /// numpy-style clamping of `begin`/`end` for a dim of size `n` and a non-zero `step`; nil bounds
    /// mean "from the first" / "to the last" element in the step's direction. Returns (start, count).
    static func clamp(begin: Int?, end: Int?, step: Int, n: Int) -> (Int, Int) {
        if step > 0 {
            let b = begin.map { $0 < 0 ? Swift.max($0 + n, 0) : Swift.min($0, n) } ?? 0
            let e = end.map { $0 < 0 ? Swift.max($0 + n, 0) : Swift.min($0, n) } ?? n
            return (b, e > b ? (e - b - 1) / step + 1 : 0)
        }
        let b = begin.map { $0 < 0 ? Swift.max($0 + n, -1) : Swift.min($0, n - 1) } ?? (n - 1)
        let e = end.map { $0 < 0 ? Swift.max($0 + n, -1) : Swift.min($0, n - 1) } ?? -1
        return (b, b > e ? (b - e - 1) / (-Swift.max(step, -Int.max)) + 1 : 0)
    }

    /// Copies the planned box out of `x` into `out` (contiguous).
    func copy(_ x: Tensor, into out: inout Tensor, _ op: String) throws {
        let es = try Movement.elementSize(x.elementType, op)
        let strides = contiguousStrides(x.shape)
        let box = lengths.map { $0 ?? 0 }
        var offset = 0
        for k in starts.indices where box[k] > 0 { offset += starts[k] * strides[k] }
        Movement.copyBox(box, src: x.rawPointer + offset * es, zip(steps, strides).map { $0 * $1 },
                         dst: out.rawPointer, contiguousStrides(box), elementSize: es)
    }
}

/// StridedSlice-1: slicing with begin/end/stride inputs and begin, end, new-axis, shrink-axis and
/// ellipsis masks (a 1 in `begin_mask`/`end_mask` ignores that bound).
final class StridedSliceKernel: Kernel {
    let beginMask, endMask, newAxisMask, shrinkMask, ellipsisMask: [Int]

    init(_ a: Attributes) throws {
        beginMask = try a.ints("begin_mask", default: [])
        endMask = try a.ints("end_mask", default: [])
        newAxisMask = try a.ints("new_axis_mask", default: [])
        shrinkMask = try a.ints("shrink_axis_mask", default: [])
        ellipsisMask = try a.ints("ellipsis_mask", default: [])
    }

    private func bit(_ m: [Int], _ i: Int) -> Bool { i < m.count && m[i] != 0 }

    func plan(dims: [Int?], begin: [Int], end: [Int], stride: [Int]) throws -> SlicePlan {
        let rank = dims.count
        let m = Swift.max(begin.count, end.count, stride.count)
        guard begin.count == end.count, stride.isEmpty || stride.count == begin.count else {
            throw OVIRError("StridedSlice: begin, end and stride have \(begin.count), \(end.count), \(stride.count) values; expected equal lengths")
        }
        let consuming = (0..<m).filter { !bit(newAxisMask, $0) && !bit(ellipsisMask, $0) }.count
        var p = SlicePlan(starts: [], steps: [], lengths: [], outputDims: [])
        var axis = 0
        func full(_ k: Int) {
            p.starts.append(0); p.steps.append(1); p.lengths.append(dims[k])
            p.outputDims.append(dims[k].map { .fixed($0) } ?? .dynamic)
        }
        var sawEllipsis = false
        for i in 0..<m {
            if bit(ellipsisMask, i) && !sawEllipsis {
                sawEllipsis = true
                let n = rank - consuming
                for _ in 0..<Swift.max(n, 0) { full(axis); axis += 1 }
                continue
            }
            if bit(newAxisMask, i) { p.outputDims.append(.fixed(1)); continue }
            guard axis < rank else { throw OVIRError("StridedSlice: the slice spec (\(m) entries) addresses more axes than the input rank \(rank)") }
            let s = stride.isEmpty ? 1 : stride[i]
            guard s != 0 else { throw OVIRError("StridedSlice: stride \(i) is 0; expected a non-zero stride") }
            if bit(shrinkMask, i) {
                var b = begin[i]
                if let n = dims[axis] {
                    if b < 0 { b += n }
                    guard b >= 0 && b < n else { throw OVIRError("StridedSlice: begin \(begin[i]) on shrunk axis \(axis) is out of range for size \(n)") }
                }
                p.starts.append(b); p.steps.append(1); p.lengths.append(1)
            } else if let n = dims[axis] {
                let (st, len) = SlicePlan.clamp(begin: bit(beginMask, i) ? nil : begin[i], end: bit(endMask, i) ? nil : end[i], step: s, n: n)
                p.starts.append(st); p.steps.append(s); p.lengths.append(len)
                p.outputDims.append(.fixed(len))
            } else {
                p.starts.append(0); p.steps.append(s); p.lengths.append(nil)
                p.outputDims.append(.dynamic)
            }
            axis += 1
        }
        while axis < rank { full(axis); axis += 1 }
        return p
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 || inputs.count == 4 else { throw OVIRError("StridedSlice expects 3 or 4 inputs (data, begin, end[, stride]), found \(inputs.count)") }
        let t = inputs[0].elementType
        guard let dims = inputs[0].shape.dims, let b = Movement.knownInts(inputs[1]), let e = Movement.knownInts(inputs[2]) else {
            return [ValueInfo(t, .dynamicRank)]
        }
        var s: [Int] = []
        if inputs.count == 4 {
            guard let v = Movement.knownInts(inputs[3]) else { return [ValueInfo(t, .dynamicRank)] }
            s = v
        }
        return [ValueInfo(t, try plan(dims: dims.map(\.staticValue), begin: b, end: e, stride: s).outputDims)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let p = try plan(dims: inputs[0].shape, begin: Movement.ints(inputs[1]), end: Movement.ints(inputs[2]),
                         stride: inputs.count == 4 ? Movement.ints(inputs[3]) : [])
        try p.copy(inputs[0], into: &outputs[0], "StridedSlice")
    }
}

extension ValueInfo {
    init(_ t: ElementType, _ dims: [Dimension]) { self.init(t, PartialShape(dims)) }
}

/// Slice-8: start/stop/step along the given axes (all axes in order without the axes input), with
/// numpy clamping and negative steps.
final class SliceKernel: Kernel {
    static func plan(dims: [Int?], start: [Int], stop: [Int], step: [Int], axes rawAxes: [Int]?) throws -> SlicePlan {
        let rank = dims.count
        guard start.count == stop.count, start.count == step.count else {
            throw OVIRError("Slice: start, stop and step have \(start.count), \(stop.count), \(step.count) values; expected equal lengths")
        }
        let axes = try (rawAxes ?? Array(0..<start.count)).map { try Movement.axis($0, rank: rank, "Slice axis") }
        guard axes.count == start.count, Set(axes).count == axes.count else {
            throw OVIRError("Slice: axes \(rawAxes ?? []) must be unique and match start's \(start.count) values")
        }
        var p = SlicePlan(starts: Array(repeating: 0, count: rank), steps: Array(repeating: 1, count: rank),
                          lengths: dims, outputDims: dims.map { $0.map { .fixed($0) } ?? .dynamic })
        for (j, a) in axes.enumerated() {
            guard step[j] != 0 else { throw OVIRError("Slice: step \(j) is 0; expected a non-zero step") }
            p.steps[a] = step[j]
            guard let n = dims[a] else { p.lengths[a] = nil; p.outputDims[a] = .dynamic; continue }
            let (s, len) = SlicePlan.clamp(begin: start[j], end: stop[j], step: step[j], n: n)
            p.starts[a] = s
            p.lengths[a] = len
            p.outputDims[a] = .fixed(len)
        }
        return p
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 4 || inputs.count == 5 else { throw OVIRError("Slice expects 4 or 5 inputs (data, start, stop, step[, axes]), found \(inputs.count)") }
        let t = inputs[0].elementType
        guard let dims = inputs[0].shape.dims, let a = Movement.knownInts(inputs[1]), let b = Movement.knownInts(inputs[2]),
              let c = Movement.knownInts(inputs[3]) else {
            if let r = inputs[0].shape.rank { return [ValueInfo(t, Movement.dynamicDims(r))] }
            return [ValueInfo(t, .dynamicRank)]
        }
        var axes: [Int]? = nil
        if inputs.count == 5 {
            guard let v = Movement.knownInts(inputs[4]) else { return [ValueInfo(t, Movement.dynamicDims(dims.count))] }
            axes = v
        }
        return [ValueInfo(t, try SliceKernel.plan(dims: dims.map(\.staticValue), start: a, stop: b, step: c, axes: axes).outputDims)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let p = try SliceKernel.plan(dims: inputs[0].shape, start: Movement.ints(inputs[1]), stop: Movement.ints(inputs[2]),
                                     step: Movement.ints(inputs[3]), axes: inputs.count == 5 ? Movement.ints(inputs[4]) : nil)
        try p.copy(inputs[0], into: &outputs[0], "Slice")
    }
}
