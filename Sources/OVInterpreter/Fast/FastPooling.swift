/// MaxPool-1, MaxPool-8 (undilated; with its index output) and AvgPool-1 over 1-D or 2-D windows on
/// f32: a direct loop per output with the window clipped to the input once (no per-output tap
/// lists), in the reference's tap order (the first maximum wins) and with its divisor rules
/// (`exclude-pad`, windows clipped to the padded input, ceil rounding).
final class DirectPoolKernel: OutputSkippingKernel {
    let reference: PoolKernel
    /// MaxPool-8 whose index output no step reads: only the maxima are computed.
    let skipsIndices: Bool

    init(reference: PoolKernel, skipsIndices: Bool = false) {
        self.reference = reference
        self.skipsIndices = skipsIndices
    }

    func skipping(outputs: Set<Int>) -> (any Kernel)? {
        reference.kind == .max8 && outputs == [1] && !skipsIndices ? DirectPoolKernel(reference: reference, skipsIndices: true) : nil
    }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? PoolKernel, ref.window.dilations.allSatisfy({ $0 == 1 }), ref.window.rank <= 2, inputs.count == 1,
              inputs[0].elementType == .f32 else { return nil }
        return DirectPoolKernel(reference: ref)
    }

    var kernelName: String { skipsIndices ? "simd.pool(no indices)" : "simd.pool" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let r = reference.window.rank
        let inSp = Array(x.shape.suffix(r)), outSp = Array(outputs[0].shape.suffix(r))
        let (pb, pe) = reference.window.pads(input: inSp, kernel: reference.kernel)
        let two = { (v: [Int], fill: Int) in Array(repeating: fill, count: 2 - v.count) + v }
        let g = PoolShape(i: two(inSp, 1), o: two(outSp, 1), k: two(reference.kernel, 1), s: two(reference.window.strides, 1),
                          pb: two(pb, 0), pe: two(pe, 0))
        let planes = x.shape[0] * x.shape[1]
        let xp = UnsafePointer(x.pointer(Float.self)), yp = outputs[0].pointer(Float.self)
        let isMax = reference.kind != .avg, excludePad = reference.excludePad
        let t = Swift.min(ctx.options.threads, Swift.max(1, outputs[0].count * g.k[0] * g.k[1] / 200_000))
        let inPlane = g.i[0] * g.i[1], outPlane = g.o[0] * g.o[1]
        guard reference.kind == .max8 && !skipsIndices else {
            parallelFor(planes, threads: t) { p in
                g.plane(xp + p * inPlane, yp + p * outPlane, isMax: isMax, excludePad: excludePad, argmax: nil)
            }
            return
        }
        // MaxPool-8's indices: flat input index of each maximum, modulo the size of the dims from
        // `axis` (`span`). The plane's offset `p·inPlane` is reduced once per plane; when `span` is a
        // multiple of the plane size no in-plane index needs reducing again.
        let ax = try normalizeAxes([reference.axis], rank: x.rank, "MaxPool")[0]
        let span = Swift.max(1, x.shape[ax...].reduce(1, *))
        let perElement = span % inPlane != 0
        let wide = outputs[1].elementType == .i64
        let i64 = wide ? outputs[1].pointer(Int64.self) : nil
        let i32 = wide ? nil : outputs[1].pointer(Int32.self)
        let scratch = wide ? nil : ctx.scratch(slot: 2, byteCount: planes * outPlane * MemoryLayout<Int64>.stride)
            .assumingMemoryBound(to: Int64.self)
        let ip = i64 ?? scratch!
        parallelFor(planes, threads: t) { p in
            let out = ip + p * outPlane
            g.plane(xp + p * inPlane, yp + p * outPlane, isMax: true, excludePad: false, argmax: out,
                    indexBase: Int64((p * inPlane) % span))
            if perElement { for o in 0..<outPlane { out[o] %= Int64(span) } }
        }
        if let i32 {
            for k in 0..<(planes * outPlane) { i32[k] = Int32(truncatingIfNeeded: ip[k]) }
        }
    }
}

/// A 2-D pooling window geometry (1-D as height 1).
struct PoolShape {
    let i: [Int], o: [Int], k: [Int], s: [Int], pb: [Int], pe: [Int]

    /// Window of output `out` along dim `d`: the in-input taps and the taps inside the padded input.
    @inline(__always)
    func span(_ d: Int, _ out: Int) -> (lo: Int, hi: Int, padded: Int) {
        let start = out * s[d] - pb[d]
        let lo = Swift.max(start, 0), hi = Swift.min(start + k[d], i[d])
        let plo = Swift.max(start, -pb[d]), phi = Swift.min(start + k[d], i[d] + pe[d])
        return (lo, Swift.max(lo, hi), Swift.max(0, phi - plo))
    }

    /// One plane; `argmax` (when given) receives `indexBase` plus each maximum's in-plane index (the
    /// window's first tap when nothing beats -inf, 0 for an empty window, as the reference).
    func plane(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, isMax: Bool, excludePad: Bool,
               argmax: UnsafeMutablePointer<Int64>?, indexBase: Int64 = 0) {
        let iw = i[1], ow = o[1], oh = o[0]
        // Column windows, computed once per plane.
        var cols = [(lo: Int, hi: Int, padded: Int)](repeating: (0, 0, 0), count: ow)
        for ox in 0..<ow { cols[ox] = span(1, ox) }
        // 2x2 stride-2 windows inside the input (the common downsampling MaxPool): eight outputs
        // per SIMD step, no window loops and no data-dependent branches.
        let pair = isMax && k[0] == 2 && k[1] == 2 && s[1] == 2
        let kw = k[1], vectorStride = s[1] == 1 || s[1] == 2 ? s[1] : 0
        cols.withUnsafeBufferPointer { cols in
            // Whether outputs ox..<ox+8 can run as one SIMD chunk: whole, evenly spaced column windows
            // and every load inside the row (stride 2 loads 16 values from each tap).
            func canVector(_ ox: Int) -> Bool {
                guard vectorStride > 0, ox >= 0, ox + 8 <= ow else { return false }
                let (x0, x1, _) = cols[ox], last = cols[ox + 7]
                return x1 - x0 == kw && last.lo == x0 + 7 * vectorStride && last.hi - last.lo == kw
                    && x0 + kw - 1 + 8 * vectorStride <= iw
            }
            // The last output a chunk can start at (-1: none).
            var lastStart = ow - 8
            while lastStart >= 0 && !canVector(lastStart) { lastStart -= 1 }
            for oy in 0..<oh {
                let (y0, y1, ph) = span(0, oy)
                let yrow = y + oy * ow
                let arow = argmax.map { $0 + oy * ow }
                if pair && y1 - y0 == 2 {
                    let r0 = x + y0 * iw, r1 = r0 + iw
                    let base = indexBase + Int64(y0 * iw)
                    // Eight outputs per step where all eight windows are inside the row: even and
                    // odd columns split out of sixteen loaded values, then the four taps in the
                    // reference's order, (y0,x), (y0,x+1), (y1,x), (y1,x+1), with strict compares
                    // (the first maximum wins) as lane selects.
                    let lane2 = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
                    let rowStep = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: iw))
                    // Outputs ox..<ox+8 when their windows are regular and inside the row.
                    @inline(__always) func chunk8(_ ox: Int) -> Bool {
                        let x0 = cols[ox].lo
                        guard cols[ox].hi - x0 == 2, ox + 8 <= ow, x0 + 16 <= iw, cols[ox + 7].lo == x0 + 14 else { return false }
                        let v0 = UnsafeRawPointer(r0 + x0).loadUnaligned(as: SIMD16<Float>.self)
                        let v1 = UnsafeRawPointer(r1 + x0).loadUnaligned(as: SIMD16<Float>.self)
                        var best = SIMD8<Float>(repeating: -.infinity), at = SIMD8<Int32>()
                        var m = v0.evenHalf .> best
                        best.replace(with: v0.evenHalf, where: m)
                        m = v0.oddHalf .> best
                        best.replace(with: v0.oddHalf, where: m); at.replace(with: 1, where: m)
                        m = v1.evenHalf .> best
                        best.replace(with: v1.evenHalf, where: m); at.replace(with: rowStep, where: m)
                        m = v1.oddHalf .> best
                        best.replace(with: v1.oddHalf, where: m); at.replace(with: rowStep &+ 1, where: m)
                        store8(best, yrow + ox)
                        if let arow {
                            let idx = SIMD8<Int64>(truncatingIfNeeded: at &+ lane2) &+ (base + Int64(x0))
                            UnsafeMutableRawPointer(arow + ox).storeBytes(of: idx, as: SIMD8<Int64>.self)
                        }
                        return true
                    }
                    // The same for four outputs (rows of 8-15 inputs: the 24x24 and 12x12 planes).
                    @inline(__always) func chunk4(_ ox: Int) -> Bool {
                        let x0 = cols[ox].lo
                        guard cols[ox].hi - x0 == 2, ox + 4 <= ow, x0 + 8 <= iw, cols[ox + 3].lo == x0 + 6 else { return false }
                        let v0 = load8(r0 + x0), v1 = load8(r1 + x0)
                        let step = rowStep.lowHalf
                        var best = SIMD4<Float>(repeating: -.infinity), at = SIMD4<Int32>()
                        var m = v0.evenHalf .> best
                        best.replace(with: v0.evenHalf, where: m)
                        m = v0.oddHalf .> best
                        best.replace(with: v0.oddHalf, where: m); at.replace(with: 1, where: m)
                        m = v1.evenHalf .> best
                        best.replace(with: v1.evenHalf, where: m); at.replace(with: step, where: m)
                        m = v1.oddHalf .> best
                        best.replace(with: v1.oddHalf, where: m); at.replace(with: step &+ 1, where: m)
                        UnsafeMutableRawPointer(yrow + ox).storeBytes(of: best, as: SIMD4<Float>.self)
                        if let arow {
                            let idx = SIMD4<Int64>(truncatingIfNeeded: at &+ lane2.lowHalf) &+ (base + Int64(x0))
                            UnsafeMutableRawPointer(arow + ox).storeBytes(of: idx, as: SIMD4<Int64>.self)
                        }
                        return true
                    }
                    var ox = 0
                    while ox < ow {
                        if chunk8(ox) { ox += 8; continue }
                        // A row's last outputs: one chunk ending at the row's end, overlapping
                        // outputs already written (recomputed with the same values and indices).
                        if ox + 8 > ow && ow >= 8 && chunk8(ow - 8) { break }
                        if chunk4(ox) { ox += 4; continue }
                        if ox + 4 > ow && ow >= 4 && chunk4(ow - 4) { break }
                        windowMax(x, y0, y1, cols[ox].lo, cols[ox].hi, iw, yrow + ox, arow.map { $0 + ox }, indexBase)
                        ox += 1
                    }
                    continue
                }
                var ox = 0, vectorEnd = -1
                while ox < ow {
                    let (x0, x1, pw) = cols[ox]
                    // Eight outputs at once where their column windows are whole and evenly spaced
                    // (stride 1 or 2): the same taps in the same order as the scalar loop below, as
                    // lane-wise compares/selects (max) or sums (avg).
                    if canVector(ox) {
                        vectorWindows(x, y0, y1, x0, iw, yrow + ox, arow.map { $0 + ox }, indexBase, isMax: isMax,
                                      divisor: excludePad ? (y1 - y0) * kw : ph * pw)
                        ox += 8
                        vectorEnd = ox
                        continue
                    }
                    // Right after the last whole chunk: one more chunk ending where chunks can reach,
                    // overlapping outputs already written (recomputed with the same values).
                    if ox == vectorEnd && lastStart > ox - 8 {
                        vectorWindows(x, y0, y1, cols[lastStart].lo, iw, yrow + lastStart, arow.map { $0 + lastStart }, indexBase,
                                      isMax: isMax, divisor: excludePad ? (y1 - y0) * kw : ph * cols[lastStart].padded)
                        ox = lastStart + 8
                        vectorEnd = -1
                        continue
                    }
                    defer { ox += 1 }
                    if isMax {
                        windowMax(x, y0, y1, x0, x1, iw, yrow + ox, arow.map { $0 + ox }, indexBase)
                    } else {
                        var sum: Float = 0
                        for iy in y0..<y1 {
                            let row = x + iy * iw
                            for ix in x0..<x1 { sum += row[ix] }
                        }
                        let n = excludePad ? (y1 - y0) * (x1 - x0) : ph * pw
                        yrow[ox] = n == 0 ? 0 : sum / Float(n)
                    }
                }
            }
        }
    }

    /// Eight neighbouring outputs whose column windows `x0 + j·stride ..< x0 + j·stride + kw` are
    /// all inside the row, over rows `y0..<y1`: max (first maximum wins, as ``windowMax``) or the
    /// window sum divided by `divisor` (as the scalar average).
    @inline(__always)
    private func vectorWindows(_ x: UnsafePointer<Float>, _ y0: Int, _ y1: Int, _ x0: Int, _ iw: Int,
                               _ y: UnsafeMutablePointer<Float>, _ argmax: UnsafeMutablePointer<Int64>?, _ indexBase: Int64,
                               isMax: Bool, divisor: Int) {
        let stride = s[1], kw = k[1]
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
            stride == 1 ? UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
                        : UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self).evenHalf
        }
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(stride)
        if isMax && argmax == nil {
            var best = SIMD8<Float>(repeating: -.infinity)
            for iy in y0..<y1 {
                let row = x + iy * iw + x0
                for kx in 0..<kw {
                    let v = load(row + kx)
                    best.replace(with: v, where: v .> best)
                }
            }
            UnsafeMutableRawPointer(y).storeBytes(of: best, as: SIMD8<Float>.self)
            return
        }
        if isMax {
            var best = SIMD8<Float>(repeating: -.infinity)
            var at = lanes &+ Int32(truncatingIfNeeded: y1 > y0 ? y0 * iw + x0 : 0)
            for iy in y0..<y1 {
                let row = x + iy * iw + x0
                for kx in 0..<kw {
                    let v = load(row + kx)
                    let m = v .> best
                    best.replace(with: v, where: m)
                    at.replace(with: lanes &+ Int32(truncatingIfNeeded: iy * iw + x0 + kx), where: m)
                }
            }
            UnsafeMutableRawPointer(y).storeBytes(of: best, as: SIMD8<Float>.self)
            if let argmax {
                UnsafeMutableRawPointer(argmax).storeBytes(of: SIMD8<Int64>(truncatingIfNeeded: at) &+ indexBase, as: SIMD8<Int64>.self)
            }
            return
        }
        var sum = SIMD8<Float>(repeating: 0)
        for iy in y0..<y1 {
            let row = x + iy * iw + x0
            for kx in 0..<kw { sum += load(row + kx) }
        }
        let out = divisor == 0 ? SIMD8<Float>(repeating: 0) : sum / SIMD8<Float>(repeating: Float(divisor))
        UnsafeMutableRawPointer(y).storeBytes(of: out, as: SIMD8<Float>.self)
    }

    /// The maximum of one clipped window and the in-plane index of its first occurrence.
    @inline(__always)
    private func windowMax(_ x: UnsafePointer<Float>, _ y0: Int, _ y1: Int, _ x0: Int, _ x1: Int, _ iw: Int,
                           _ y: UnsafeMutablePointer<Float>, _ argmax: UnsafeMutablePointer<Int64>?, _ indexBase: Int64) {
        var best = -Float.infinity
        var at = y1 > y0 && x1 > x0 ? y0 * iw + x0 : 0
        for iy in y0..<y1 {
            let row = x + iy * iw
            for ix in x0..<x1 {
                // Selects rather than a branch: the compares are data-dependent and mispredict.
                let v = row[ix], greater = v > best
                best = greater ? v : best
                at = greater ? iy * iw + ix : at
            }
        }
        y.pointee = best
        argmax?.pointee = indexBase + Int64(at)
    }
}
