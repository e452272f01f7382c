/// Reduce* on f32 over one contiguous block of axes (the data seen as `[outer, R, inner]`): whole
/// rows at a time instead of the reference's per-element index walk. With `inner > 1` every
/// output element accumulates its `R` inputs in the reference's order (bit-identical); reducing the
/// innermost run (`inner == 1`, e.g. ReduceMean over H·W or the last axis) sums in 8 interleaved
/// partial sums for speed (a different rounding order: within the conformance tolerance). Max and
/// Min propagate NaN like the reference.
final class FastReduceKernel: Kernel {
    let reference: ReduceKernel

    init(reference: ReduceKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? ReduceKernel, !ref.kind.isLogical, inputs.count == 2, inputs[0].elementType == .f32,
              let rank = inputs[0].shape.dims?.count, let axesValue = inputs[1].value,
              let axes = try? normalizeAxes(intValues(axesValue), rank: rank, ref.kind.rawValue) else { return nil }
        let sorted = Set(axes).sorted()
        guard let first = sorted.first, sorted.last! - first + 1 == sorted.count else { return nil }
        return FastReduceKernel(reference: ref)
    }

    var kernelName: String { "fast.reduce" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let axes = Set(try normalizeAxes(intValues(inputs[1]), rank: x.rank, reference.kind.rawValue)).sorted()
        guard let a0 = axes.first, let a1 = axes.last, a1 - a0 + 1 == axes.count else {
            throw OVIRError("\(reference.kind.rawValue): fast kernel compiled for contiguous axes, found \(axes)")
        }
        let outer = x.shape[..<a0].reduce(1, *), r = x.shape[a0...a1].reduce(1, *), inner = x.shape[(a1 + 1)...].reduce(1, *)
        let xp = UnsafePointer(x.pointer(Float.self)), yp = outputs[0].pointer(Float.self)
        let kind = reference.kind
        let initial: Float = kind == .prod ? 1 : kind == .max ? -.infinity : kind == .min ? .infinity : 0
        let scale = Float(r)
        let t = Swift.min(ctx.options.threads, Swift.max(1, outer * r * inner / 262_144))
        if inner == 1 {
            parallelChunks(outer, threads: t) { range in
                for o in range {
                    let row = xp + o * r
                    var v: Float
                    switch kind {
                    case .sum, .mean: v = FastReduceKernel.sum(row, r, SumTerm.self)
                    case .l1: v = FastReduceKernel.sum(row, r, AbsTerm.self)
                    case .l2: v = FastReduceKernel.sum(row, r, SquareTerm.self).squareRoot()
                    case .max:
                        v = initial
                        for k in 0..<r where row[k] > v || row[k].isNaN { v = row[k] }
                    case .min:
                        v = initial
                        for k in 0..<r where row[k] < v || row[k].isNaN { v = row[k] }
                    case .prod:
                        v = initial
                        for k in 0..<r { v *= row[k] }
                    case .logicalAnd, .logicalOr: v = 0
                    }
                    yp[o] = kind == .mean ? v / scale : v
                }
            }
            return
        }
        // Split over outer rows, or over the inner run when there is one outer row.
        let splitInner = outer < t
        parallelChunks(splitInner ? inner : outer, threads: t, align: splitInner ? 64 : 1) { range in
            let (os, inRange) = splitInner ? (0..<outer, range) : (range, 0..<inner)
            for o in os {
                let y = yp + o * inner + inRange.lowerBound, n = inRange.count
                let base = xp + o * r * inner + inRange.lowerBound
                y.update(repeating: initial, count: n)
                for k in 0..<r {
                    let s = base + k * inner
                    switch kind {
                    case .sum, .mean: for i in 0..<n { y[i] += s[i] }
                    case .l1: for i in 0..<n { y[i] += Swift.abs(s[i]) }
                    case .l2: for i in 0..<n { y[i] += s[i] * s[i] }
                    case .prod: for i in 0..<n { y[i] *= s[i] }
                    case .max: for i in 0..<n { y[i] = s[i] > y[i] || s[i].isNaN ? s[i] : y[i] }
                    case .min: for i in 0..<n { y[i] = s[i] < y[i] || s[i].isNaN ? s[i] : y[i] }
                    case .logicalAnd, .logicalOr: break
                    }
                }
                if kind == .mean { for i in 0..<n { y[i] /= scale } }
                if kind == .l2 { for i in 0..<n { y[i] = y[i].squareRoot() } }
            }
        }
    }

    /// Σ term(x[k]) over a contiguous run with 8 interleaved partial sums.
    @inline(__always)
    static func sum<T: FloatUnary>(_ x: UnsafePointer<Float>, _ n: Int, _: T.Type) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var k = 0
        while k + 8 <= n {
            var v = SIMD8<Float>(repeating: 0)
            for l in 0..<8 { v[l] = T.apply(x[k + l]) }
            acc += v
            k += 8
        }
        var s = acc.sum()
        while k < n { s += T.apply(x[k]); k += 1 }
        return s
    }
}

enum SumTerm: FloatUnary { @inline(__always) static func apply(_ x: Float) -> Float { x } }
enum AbsTerm: FloatUnary { @inline(__always) static func apply(_ x: Float) -> Float { Swift.abs(x) } }
enum SquareTerm: FloatUnary { @inline(__always) static func apply(_ x: Float) -> Float { x * x } }

/// Transpose of 4-byte elements (f32, i32, u32) when the output's innermost run is strided in the
/// input: copied in 16x16 blocks (input rows read contiguously, output rows written contiguously)
/// instead of a strided gather per element. Other transposes keep the reference's run copies.
final class FastTransposeKernel: Kernel {
    let reference: TransposeKernel

    init(reference: TransposeKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? TransposeKernel, inputs.count == 2, [.f32, .i32, .u32].contains(inputs[0].elementType),
              inputs[1].value != nil else { return nil }
        return FastTransposeKernel(reference: ref)
    }

    var kernelName: String { "fast.transpose" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let order = try TransposeKernel.order(Movement.ints(inputs[1]), rank: x.rank)
        let inStrides = contiguousStrides(x.shape)
        let outShape = order.map { x.shape[$0] }
        let outStrides = contiguousStrides(outShape)
        if outShape.contains(0) { return }
        // Output dims with their input strides, size-1 dims dropped, neighbours merged when contiguous in both.
        var merged: [(n: Int, s: Int, d: Int)] = []
        for k in outShape.indices where outShape[k] != 1 {
            let e = (n: outShape[k], s: inStrides[order[k]], d: outStrides[k])
            if let last = merged.last, last.s == e.s * e.n, last.d == e.d * e.n {
                merged[merged.count - 1] = (last.n * e.n, e.s, e.d)
            } else {
                merged.append(e)
            }
        }
        let src = UnsafePointer(x.pointer(UInt32.self)), dst = outputs[0].pointer(UInt32.self)
        guard let inner = merged.last, inner.s != 1, let kIdx = merged.firstIndex(where: { $0.s == 1 }) else {
            try reference.run(inputs, &outputs, ctx)
            return
        }
        let rows = merged[kIdx]
        var rest = merged
        rest.remove(at: merged.count - 1)
        rest.remove(at: kIdx)
        let outerCount = rest.reduce(1) { $0 * $1.n }
        let t = Swift.min(ctx.options.threads, Swift.max(1, outputs[0].count / 262_144))
        parallelChunks(outerCount, threads: t) { range in
            for flat in range {
                var so = 0, doff = 0, q = flat
                for d in rest.reversed() {
                    let i = q % d.n
                    q /= d.n
                    so += i * d.s
                    doff += i * d.d
                }
                FastTransposeKernel.block(src + so, dst + doff, rows: rows, cols: inner)
            }
        }
    }

    /// `dst[i·rows.d + j] = src[i + j·cols.s]` for i < rows.n (contiguous in src), j < cols.n
    /// (contiguous in dst), in 16x16 tiles.
    @inline(__always)
    static func block(_ src: UnsafePointer<UInt32>, _ dst: UnsafeMutablePointer<UInt32>,
                      rows: (n: Int, s: Int, d: Int), cols: (n: Int, s: Int, d: Int)) {
        let tile = 16
        var i0 = 0
        while i0 < rows.n {
            let i1 = Swift.min(rows.n, i0 + tile)
            var j0 = 0
            while j0 < cols.n {
                let j1 = Swift.min(cols.n, j0 + tile)
                for i in i0..<i1 {
                    let d = dst + i * rows.d
                    for j in j0..<j1 { d[j] = src[i + j * cols.s] }
                }
                j0 = j1
            }
            i0 = i1
        }
    }
}
