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
        let (plane, planes) = Self.intermediates(plan, shape: x.shape)
        let scratch = plane > 0
            ? ctx.scratch(slot: 0, byteCount: planes * plane * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self) : y
        shape = x.shape
        let threads = ctx.options.threads
        for (n, s) in steps.enumerated() {
            let dst = n == steps.count - 1 ? y : scratch + (n % 2) * plane
            FastInterpolateKernel.resample(src, shape: shape, axis: s.axis, taps: s.taps, outSize: s.out, into: dst, threads: threads)
            shape[s.axis] = s.out
            src = UnsafePointer(dst)
        }
    }

    /// The last axis's taps for eight outputs at a time: for each block of eight outputs that all
    /// have the same number of taps (1-4; linear upsampling: 2 but 1 at the edges), the outputs'
    /// source indices and weights side by side per tap, so each tap is one SIMD8 multiply and add
    /// over values gathered from the row. (The scalar loop's index and weight loads and adds were
    /// 95 % of U-Net's 64-channel 2x upsampling.) Other blocks and the last `m mod 8` outputs run
    /// the scalar loop.
    struct LaneTaps {
        /// Per block: its taps per output (0: scalar) and where its lanes start in `index`/`weight`.
        var count: [Int] = [], offset: [Int] = []
        var index: [Int32] = [], weight: [Float] = []

        init?(_ taps: TapTable, outSize m: Int) {
            guard m >= 8, taps.index.allSatisfy({ $0 <= Int(Int32.max) }) else { return nil }
            for b in 0..<(m / 8) {
                let c = taps.start[b * 8 + 1] - taps.start[b * 8]
                let uniform = (1...4).contains(c) && (0..<8).allSatisfy { taps.start[b * 8 + $0 + 1] - taps.start[b * 8 + $0] == c }
                count.append(uniform ? c : 0)
                offset.append(index.count)
                guard uniform else { continue }
                for t in 0..<c {
                    for l in 0..<8 {
                        let k = taps.start[b * 8 + l] + t
                        index.append(Int32(taps.index[k]))
                        weight.append(taps.weight[k])
                    }
                }
            }
            guard count.contains(where: { $0 > 0 }) else { return nil }
        }

        /// One row: `y[j] = Σ_t w_jt · x[idx_jt]`, the sum from 0 in tap order (the scalar loop's
        /// expression, lane by lane).
        @inline(__always)
        func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, index: UnsafePointer<Int32>, weight: UnsafePointer<Float>,
                 taps: TapTable) {
            @inline(__always) func scalar(_ j: Int) {
                var acc: Float = 0
                for k in taps.start[j]..<taps.start[j + 1] { acc += taps.weight[k] * x[taps.index[k]] }
                y[j] = acc
            }
            for b in 0..<count.count {
                let c = count[b]
                guard c > 0 else {
                    for j in (b * 8)..<(b * 8 + 8) { scalar(j) }
                    continue
                }
                var ip = index + offset[b], wp = weight + offset[b]
                var acc = SIMD8<Float>()
                for _ in 0..<c {
                    let v = SIMD8<Float>(x[Int(ip[0])], x[Int(ip[1])], x[Int(ip[2])], x[Int(ip[3])],
                                         x[Int(ip[4])], x[Int(ip[5])], x[Int(ip[6])], x[Int(ip[7])])
                    acc = acc + load8(wp) * v
                    ip += 8
                    wp += 8
                }
                store8(acc, y + b * 8)
            }
            for j in (count.count * 8)..<(taps.start.count - 1) { scalar(j) }
        }
    }

    /// Intermediate planes: the largest intermediate shape's element count, and two of them
    /// (ping-pong) when there are two or more intermediates (one for the usual two resampled axes;
    /// none when at most one axis changes).
    static func intermediates(_ plan: InterpolateKernel.Plan, shape x: [Int]) -> (plane: Int, count: Int) {
        var shape = x, sizes: [Int] = []
        for (k, axis) in plan.axes.enumerated() where !(plan.outSizes[k] == shape[axis] && plan.scales[k] == 1) {
            shape[axis] = plan.outSizes[k]
            sizes.append(shape.reduce(1, *))
        }
        guard sizes.count > 1 else { return (0, 0) }
        return (sizes.dropLast().max()!, Swift.min(2, sizes.count - 1))
    }

    /// `run`'s scratch: the intermediate planes, when the sizes or scales are constants.
    func scratchBytes(_ inputs: [ValueInfo], _ outputs: [ValueInfo], _ options: CompileOptions) -> Int {
        guard let xs = inputs.first?.shape.staticShape, let axes = try? reference.runAxes(rank: xs.count, inputs),
              let plan = try? reference.plan(padded: xs, axes: axes, inputs) else { return 0 }
        let (plane, count) = Self.intermediates(plan, shape: xs)
        return plane > 0 ? ExecutionContext.aligned(count * plane * MemoryLayout<Float>.stride) : 0
    }

    /// `out[o, j, i] = Σ_t w_jt · in[o, idx_jt, i]` for one axis.
    static func resample(_ x: UnsafePointer<Float>, shape: [Int], axis: Int, taps: TapTable, outSize m: Int,
                         into y: UnsafeMutablePointer<Float>, threads: Int) {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let n = shape[axis]
        let work = outer * m * Swift.max(inner, 1)
        let t = Swift.min(threads, Swift.max(1, work / 65_536))
        if inner == 1, let lanes = LaneTaps(taps, outSize: m) {
            lanes.index.withUnsafeBufferPointer { index in
                lanes.weight.withUnsafeBufferPointer { weight in
                    parallelChunks(outer, threads: t) { r in
                        for o in r { lanes.row(x + o * n, y + o * m, index: index.baseAddress!, weight: weight.baseAddress!, taps: taps) }
                    }
                }
            }
            return
        }
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
