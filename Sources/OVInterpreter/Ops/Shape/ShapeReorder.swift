/// Reverse-1: reverses the input along the given axes (`index` mode) or along the axes whose
/// boolean mask entry is true (`mask` mode).
final class ReverseKernel: Kernel {
    let maskMode: Bool
    init(maskMode: Bool) { self.maskMode = maskMode }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("Reverse expects 2 inputs (data, axes), found \(inputs.count)") }
        if maskMode, inputs[1].elementType != .boolean {
            throw OVIRError("Reverse (mask mode): axes must be boolean, found \(inputs[1].elementType.rawValue)")
        }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let es = try Movement.elementSize(x.elementType, "Reverse")
        var reversed = [Bool](repeating: false, count: x.rank)
        let values = Movement.ints(inputs[1])
        if maskMode {
            guard values.count == x.rank else { throw OVIRError("Reverse: mask has \(values.count) entries; expected the input rank \(x.rank)") }
            for k in values.indices { reversed[k] = values[k] != 0 }
        } else {
            for a in values { reversed[try Movement.axis(a, rank: x.rank, "Reverse axis")] = true }
        }
        var strides = contiguousStrides(x.shape)
        var offset = 0
        for k in strides.indices where reversed[k] && x.shape[k] > 0 {
            offset += (x.shape[k] - 1) * strides[k]
            strides[k] = -strides[k]
        }
        Movement.copyBox(x.shape, src: x.rawPointer + offset * es, strides, dst: outputs[0].rawPointer,
                         contiguousStrides(x.shape), elementSize: es)
    }
}

/// ReverseSequence-1: for each item along `batch_axis`, reverses its first `seq_lengths[b]`
/// elements along `seq_axis`.
final class ReverseSequenceKernel: Kernel {
    let batchAxis, seqAxis: Int
    init(batchAxis: Int, seqAxis: Int) { self.batchAxis = batchAxis; self.seqAxis = seqAxis }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("ReverseSequence expects 2 inputs (data, seq_lengths), found \(inputs.count)") }
        if let r = inputs[0].shape.rank {
            _ = try Movement.axis(batchAxis, rank: r, "ReverseSequence batch_axis")
            _ = try Movement.axis(seqAxis, rank: r, "ReverseSequence seq_axis")
        }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let es = try Movement.elementSize(x.elementType, "ReverseSequence")
        let ba = try Movement.axis(batchAxis, rank: x.rank, "ReverseSequence batch_axis")
        let sa = try Movement.axis(seqAxis, rank: x.rank, "ReverseSequence seq_axis")
        let lengths = Movement.ints(inputs[1])
        let nb = x.shape[ba], ns = x.shape[sa]
        guard lengths.count == nb else { throw OVIRError("ReverseSequence: seq_lengths has \(lengths.count) values; expected \(nb) (the batch dim)") }
        let strides = contiguousStrides(x.shape)
        var box = x.shape
        box[ba] = 1
        box[sa] = 1
        for b in 0..<nb {
            let len = lengths[b]
            guard len >= 0 && len <= ns else { throw OVIRError("ReverseSequence: seq_lengths[\(b)] = \(len) is outside [0, \(ns)]") }
            for s in 0..<ns {
                let from = s < len ? len - 1 - s : s
                Movement.copyBox(box, src: x.rawPointer + (b * strides[ba] + from * strides[sa]) * es, strides,
                                 dst: outputs[0].rawPointer + (b * strides[ba] + s * strides[sa]) * es, strides, elementSize: es)
            }
        }
    }
}

/// DepthToSpace-1 / SpaceToDepth-1: moves `block_size`-sized blocks between the channel axis and
/// the spatial axes (`blocks_first` or `depth_first` channel order).
final class SpaceDepthKernel: Kernel {
    let toSpace: Bool
    let blocksFirst: Bool
    let blockSize: Int
    var name: String { toSpace ? "DepthToSpace" : "SpaceToDepth" }

    init(_ a: Attributes, toSpace: Bool) throws {
        self.toSpace = toSpace
        blocksFirst = try a.choice("mode", ["blocks_first", "depth_first"]) == "blocks_first"
        blockSize = try a.int("block_size", default: 1)
        guard blockSize > 0 else { throw OVIRError("attribute 'block_size': expected a positive value, found \(blockSize)") }
    }

    func outputShape(_ s: [Int]) throws -> [Int] {
        guard s.count >= 3 else { throw OVIRError("\(name): input rank \(s.count); expected at least 3 ([N, C, spatial…])") }
        let k = s.count - 2
        let bk = Movement.ipow(blockSize, k)
        var out = s
        if toSpace {
            guard s[1] % bk == 0 else { throw OVIRError("DepthToSpace: channels \(s[1]) are not divisible by block_size^\(k) = \(bk)") }
            out[1] = s[1] / bk
            for i in 2..<s.count { out[i] = s[i] * blockSize }
        } else {
            for i in 2..<s.count where s[i] % blockSize != 0 {
                throw OVIRError("SpaceToDepth: spatial dim \(i) = \(s[i]) is not divisible by block_size \(blockSize)")
            }
            out[1] = s[1] * bk
            for i in 2..<s.count { out[i] = s[i] / blockSize }
        }
        return out
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 else { throw OVIRError("\(name) expects 1 input, found \(inputs.count)") }
        let t = inputs[0].elementType
        guard let s = inputs[0].shape.staticShape else {
            return [ValueInfo(t, inputs[0].shape.rank.map(Movement.dynamicDims) ?? .dynamicRank)]
        }
        return [ValueInfo(t, try outputShape(s))]
    }

    /// The input viewed with split axes, and the order in which the output reads those axes.
    func view(_ s: [Int]) -> (shape: [Int], perm: [Int]) {
        let k = s.count - 2, bs = blockSize
        let blocks = Array(repeating: bs, count: k)
        if toSpace {
            let c = s[1] / Movement.ipow(bs, k)
            let spatial = Array(s[2...])
            if blocksFirst {
                return ([s[0]] + blocks + [c] + spatial, [0, k + 1] + (0..<k).flatMap { [k + 2 + $0, 1 + $0] })
            }
            return ([s[0], c] + blocks + spatial, [0, 1] + (0..<k).flatMap { [k + 2 + $0, 2 + $0] })
        }
        let split = [s[0], s[1]] + (2..<s.count).flatMap { [s[$0] / bs, bs] }
        let spatialAxes = (0..<k).map { 2 + 2 * $0 }, blockAxes = (0..<k).map { 3 + 2 * $0 }
        return (split, blocksFirst ? [0] + blockAxes + [1] + spatialAxes : [0, 1] + blockAxes + spatialAxes)
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let es = try Movement.elementSize(x.elementType, name)
        let (shape, perm) = view(x.shape)
        let strides = contiguousStrides(shape)
        let outShape = perm.map { shape[$0] }
        Movement.copyBox(outShape, src: x.rawPointer, perm.map { strides[$0] }, dst: outputs[0].rawPointer,
                         contiguousStrides(outShape), elementSize: es)
    }
}
