/// Interpolate (every version and mode) on unpadded f32 inputs, with the reference's taps and
/// arithmetic but no per-element arrays: each resized axis gets a flat tap table (start offsets,
/// source indices, weights), axes are resampled one after the other between two scratch planes,
/// the last one straight into the output. Along an inner axis each tap adds a whole contiguous
/// run (`inner` values) at once; along the last axis each output value sums its taps.
/// Per output value the sum starts at 0 and adds `w · x` tap by tap in the reference's order, so
/// results are bit-identical to ``InterpolateKernel``.
final class FastInterpolateKernel: Kernel {
    let reference: InterpolateKernel

    init(reference: InterpolateKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? InterpolateKernel, !inputs.isEmpty, inputs[0].elementType == .f32,
              ref.attrs.padsBeginRaw.allSatisfy({ $0 == 0 }), ref.attrs.padsEndRaw.allSatisfy({ $0 == 0 }) else { return nil }
        return FastInterpolateKernel(reference: ref)
    }

    var kernelName: String { "fast.interpolate" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    /// One axis's taps flattened: output index j reads `index[start[j]..<start[j+1]]` with `weight`.
    struct TapTable {
        var start: [Int] = [0]
        var index: [Int] = []
        var weight: [Float] = []

        init(_ taps: [[(Int, Float)]]) {
            start.reserveCapacity(taps.count + 1)
            for t in taps {
                for (i, w) in t { index.append(i); weight.append(w) }
                start.append(index.count)
            }
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let rank = x.rank
        let infos = inputs.map { ValueInfo($0) }
        guard let axes = try reference.runAxes(rank: rank, infos),
              let plan = try reference.plan(padded: x.shape, axes: axes, infos) else {
            throw OVIRError("Interpolate: sizes, scales and axes must be known to run")
        }
        guard plan.outShape == outputs[0].shape else {
            throw OVIRError("Interpolate: computed shape \(plan.outShape) differs from the expected output shape \(outputs[0].shape)")
        }
        // The axes that change, in the reference's order.
        var steps: [(axis: Int, taps: TapTable, out: Int)] = []
        var shape = x.shape
        for (k, axis) in plan.axes.enumerated() where !(plan.outSizes[k] == shape[axis] && plan.scales[k] == 1) {
            let taps = reference.attrs.taps(inSize: shape[axis], outSize: plan.outSizes[k], scale: plan.scales[k])
            steps.append((axis, TapTable(taps), plan.outSizes[k]))
            shape[axis] = plan.outSizes[k]
        }
        let y = outputs[0].pointer(Float.self)
        var src = UnsafePointer(x.pointer(Float.self))
        if steps.isEmpty {
            y.update(from: src, count: outputs[0].count)
            return
        }
        // Intermediate planes: the largest intermediate shape, two of them (ping-pong) when there
        // are two or more intermediates (one for the usual two resampled axes).
        shape = x.shape
        var sizes: [Int] = []
        for s in steps.dropLast() {
            shape[s.axis] = s.out
            sizes.append(shape.reduce(1, *))
        }
        let plane = sizes.max() ?? 0
        let scratch = plane > 0
            ? ctx.scratch(slot: 0, byteCount: Swift.min(2, steps.count - 1) * plane * MemoryLayout<Float>.stride)
                .assumingMemoryBound(to: Float.self) : y
        shape = x.shape
        let threads = ctx.options.threads
        for (n, s) in steps.enumerated() {
            let dst = n == steps.count - 1 ? y : scratch + (n % 2) * plane
            FastInterpolateKernel.resample(src, shape: shape, axis: s.axis, taps: s.taps, outSize: s.out, into: dst, threads: threads)
            shape[s.axis] = s.out
            src = UnsafePointer(dst)
        }
    }

    /// `out[o, j, i] = Σ_t w_jt · in[o, idx_jt, i]` for one axis.
    static func resample(_ x: UnsafePointer<Float>, shape: [Int], axis: Int, taps: TapTable, outSize m: Int,
                         into y: UnsafeMutablePointer<Float>, threads: Int) {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let n = shape[axis]
        let work = outer * m * Swift.max(inner, 1)
        let t = Swift.min(threads, Swift.max(1, work / 65_536))
        taps.start.withUnsafeBufferPointer { start in
            taps.index.withUnsafeBufferPointer { index in
                taps.weight.withUnsafeBufferPointer { weight in
                    parallelChunks(outer, threads: t) { r in
                        for o in r {
                            let xo = x + o * n * inner, yo = y + o * m * inner
                            if inner == 1 {
                                for j in 0..<m {
                                    var acc: Float = 0
                                    for k in start[j]..<start[j + 1] { acc += weight[k] * xo[index[k]] }
                                    yo[j] = acc
                                }
                                continue
                            }
                            for j in 0..<m {
                                let dst = yo + j * inner
                                dst.update(repeating: 0, count: inner)
                                for k in start[j]..<start[j + 1] {
                                    let w = weight[k], s = xo + index[k] * inner
                                    for i in 0..<inner { dst[i] += w * s[i] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
