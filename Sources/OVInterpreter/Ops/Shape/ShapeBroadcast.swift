/// Broadcast-1 / Broadcast-3: replicates the input to the target shape (numpy, bidirectional,
/// explicit with axes_mapping, pdpd).
final class BroadcastKernel: Kernel {
    enum Mode { case numpy, bidirectional, explicit, pdpd(Int) }
    let mode: Mode
    var isExplicit: Bool { if case .explicit = mode { return true } else { return false } }

    init(_ a: Attributes, version: Int) throws {
        let allowed = version >= 3 ? ["numpy", "explicit", "bidirectional", "pdpd", "none"] : ["numpy", "explicit", "pdpd", "none"]
        switch try a.choice("mode", allowed, default: "numpy") {
        case "bidirectional": mode = .bidirectional
        case "explicit", "none": mode = .explicit
        case "pdpd": mode = .pdpd(try a.int("axis", default: -1))
        default: mode = .numpy
        }
    }

    /// For each output axis, the input axis it reads (nil: a new axis), given shapes.
    func mapping(input: Int, output: Int, axesMapping: [Int]?) throws -> [Int?] {
        var map = [Int?](repeating: nil, count: output)
        switch mode {
        case .numpy, .bidirectional:
            for k in 0..<input { map[output - input + k] = k }
        case .pdpd(let axis):
            let start = axis < 0 ? output - input : axis
            guard start >= 0, start + input <= output else {
                throw OVIRError("Broadcast (pdpd): input rank \(input) does not fit the target rank \(output) at axis \(axis)")
            }
            for k in 0..<input { map[start + k] = k }
        case .explicit:
            guard let axes = axesMapping else { throw OVIRError("Broadcast (explicit) needs the axes_mapping input") }
            guard axes.count == input else {
                throw OVIRError("Broadcast (explicit): axes_mapping \(axes) has \(axes.count) entries; expected the input rank \(input)")
            }
            for (k, a) in axes.enumerated() {
                guard a >= 0 && a < output, map[a] == nil, k == 0 || a > axes[k - 1] else {
                    throw OVIRError("Broadcast (explicit): axes_mapping \(axes) must be increasing axes of the target (rank \(output))")
                }
                map[a] = k
            }
        }
        return map
    }

    func outputShape(input: [Int?], target: [Int], axesMapping: [Int]?) throws -> (shape: [Int?], map: [Int?]) {
        let rank: Int
        if case .bidirectional = mode { rank = Swift.max(input.count, target.count) } else {
            guard target.count >= input.count else {
                throw OVIRError("Broadcast: target shape \(target) has lower rank than the input (\(input.count))")
            }
            rank = target.count
        }
        let t = Array(repeating: 1, count: rank - target.count) + target
        let map = try mapping(input: input.count, output: rank, axesMapping: axesMapping)
        var out: [Int?] = t
        for j in 0..<rank {
            guard let k = map[j] else { continue }
            guard let d = input[k] else { out[j] = t[j] == 1 ? nil : t[j]; continue }
            if d == t[j] || d == 1 { continue }
            if t[j] == 1 && !isExplicit { out[j] = d; continue }
            throw OVIRError("Broadcast: input dim \(k) of size \(d) cannot be broadcast to \(t[j]) (target \(target))")
        }
        return (out, map)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 || inputs.count == 3 else { throw OVIRError("Broadcast expects 2 or 3 inputs (data, target_shape[, axes_mapping]), found \(inputs.count)") }
        let t = inputs[0].elementType
        guard let target = Movement.knownInts(inputs[1]) else {
            if case .bidirectional = mode { return [ValueInfo(t, .dynamicRank)] }
            if let n = inputs[1].shape.staticShape, n.count == 1 { return [ValueInfo(t, Movement.dynamicDims(n[0]))] }
            return [ValueInfo(t, .dynamicRank)]
        }
        guard let dims = inputs[0].shape.dims else {
            if case .bidirectional = mode { return [ValueInfo(t, .dynamicRank)] }
            return [ValueInfo(t, PartialShape(static: target))]
        }
        var axes: [Int]? = nil
        if case .explicit = mode {
            guard inputs.count == 3, let v = Movement.knownInts(inputs[2]) else { return [ValueInfo(t, PartialShape(static: target))] }
            axes = v
        }
        let (shape, _) = try outputShape(input: dims.map(\.staticValue), target: target, axesMapping: axes)
        return [ValueInfo(t, PartialShape(shape.map { $0.map { .fixed($0) } ?? .dynamic }))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let es = try Movement.elementSize(x.elementType, "Broadcast")
        var axes: [Int]? = nil
        if case .explicit = mode, inputs.count == 3 { axes = Movement.ints(inputs[2]) }
        let (_, map) = try outputShape(input: x.shape, target: Movement.ints(inputs[1]), axesMapping: axes)
        let outShape = outputs[0].shape
        let inStrides = contiguousStrides(x.shape)
        let src = map.map { k in k.map { x.shape[$0] == 1 ? 0 : inStrides[$0] } ?? 0 }
        Movement.copyBox(outShape, src: x.rawPointer, src, dst: outputs[0].rawPointer, contiguousStrides(outShape), elementSize: es)
    }
}

/// Tile-1: repeats the input along each axis (shorter repeats or shapes are padded with leading 1s).
final class TileKernel: Kernel {
    static func aligned(_ dims: [Dimension], _ repeats: [Int]) throws -> ([Dimension], [Int]) {
        guard repeats.allSatisfy({ $0 >= 0 }) else { throw OVIRError("Tile: repeats \(repeats) must not be negative") }
        let r = Swift.max(dims.count, repeats.count)
        return (Array(repeating: .fixed(1), count: r - dims.count) + dims, Array(repeating: 1, count: r - repeats.count) + repeats)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("Tile expects 2 inputs (data, repeats), found \(inputs.count)") }
        let t = inputs[0].elementType
        guard let dims = inputs[0].shape.dims, let reps = Movement.knownInts(inputs[1]) else {
            if let r = inputs[0].shape.rank, let n = inputs[1].shape.staticShape?.first { return [ValueInfo(t, Movement.dynamicDims(Swift.max(r, n)))] }
            return [ValueInfo(t, .dynamicRank)]
        }
        let (d, r) = try TileKernel.aligned(dims, reps)
        return [ValueInfo(t, PartialShape(zip(d, r).map { (dim, rep) in dim.staticValue.map { .fixed($0 * rep) } ?? (rep == 0 ? .fixed(0) : .dynamic) }))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let es = try Movement.elementSize(x.elementType, "Tile")
        let (d, r) = try TileKernel.aligned(x.shape.map { .fixed($0) }, Movement.ints(inputs[1]))
        let dims = d.map { $0.staticValue ?? 1 }
        let strides = contiguousStrides(dims)
        // The output viewed as [r0, d0, r1, d1, …]: repeat axes read with stride 0.
        var box: [Int] = [], src: [Int] = []
        for k in dims.indices { box += [r[k], dims[k]]; src += [0, strides[k]] }
        Movement.copyBox(box, src: x.rawPointer, src, dst: outputs[0].rawPointer, contiguousStrides(box), elementSize: es)
    }
}
