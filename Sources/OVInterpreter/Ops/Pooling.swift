/// Pooling ops: MaxPool-1, MaxPool-8, AvgPool-1, AdaptiveAvgPool-8 and AdaptiveMaxPool-8.
enum PoolingOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("MaxPool", 1) { node in try PoolKernel(node, kind: .max1) },
        OpDefinition("MaxPool", 8) { node in try PoolKernel(node, kind: .max8) },
        OpDefinition("AvgPool", 1) { node in try PoolKernel(node, kind: .avg) },
        OpDefinition("AdaptiveAvgPool", 8) { node in try AdaptivePoolKernel(node, max: false) },
        OpDefinition("AdaptiveMaxPool", 8) { node in try AdaptivePoolKernel(node, max: true) },
    ]
}

/// MaxPool-1, MaxPool-8 and AvgPool-1: a sliding window over the spatial dims of `[N, C, spatial...]`.
///
/// Padding positions never count as values: MaxPool ignores them, AvgPool divides by the number
/// of input elements in the window (`exclude-pad="true"`) or by the window clipped to the padded
/// input (`exclude-pad="false"`). `rounding_type` ceil keeps a last, partial window. MaxPool-8 adds
/// dilations and a second output: the index of each maximum, flattened over the dims from `axis`.
final class PoolKernel: Kernel {
    enum Kind { case max1, max8, avg }
    let kind: Kind
    let window: SpatialWindow
    let kernel: [Int]
    let ceilRounding: Bool
    let excludePad: Bool
    let indexType: ElementType
    let axis: Int

    init(_ node: Node, kind: Kind) throws {
        let a = node.attributes
        self.kind = kind
        kernel = try a.ints("kernel")
        window = try SpatialWindow(a, spatial: kernel.count, hasDilations: kind == .max8)
        guard kernel.count == window.rank, kernel.allSatisfy({ $0 > 0 }) else {
            throw OVIRError("attribute 'kernel': expected \(window.rank) positive values, found \(kernel)")
        }
        ceilRounding = try a.choice("rounding_type", ["floor", "ceil"], default: "floor") == "ceil"
        excludePad = try a.bool("exclude-pad", default: false)
        let it = a.string("index_element_type", default: "i64")
        guard let t = ElementType(irName: it), t == .i64 || t == .i32 else {
            throw OVIRError("attribute 'index_element_type': expected i32 or i64, found \"\(it)\"")
        }
        indexType = t
        axis = try a.int("axis", default: 0)
    }

    var opName: String { kind == .avg ? "AvgPool" : "MaxPool" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 else { throw OVIRError("\(opName) takes 1 input, found \(inputs.count)") }
        let x = inputs[0]
        if kind == .avg { try requireFloat(x.elementType, opName) }
        let r = window.rank
        var shape = PartialShape(Array(repeating: .dynamic, count: r + 2))
        if let xd = x.shape.dims {
            guard xd.count == r + 2 else {
                throw OVIRError("\(opName): input must have rank \(r + 2) for a \(r)-D kernel, found \(x.shape)")
            }
            var dims = Array(xd[0..<2])
            let sp = xd[2...].map(\.staticValue)
            if sp.allSatisfy({ $0 != nil }) {
                dims += window.outputDims(input: sp.map { $0! }, kernel: kernel, ceil: ceilRounding).map { .fixed($0) }
            } else {
                dims += Array(repeating: .dynamic, count: r)
            }
            shape = PartialShape(dims)
            if kind == .max8 { _ = try normalizeAxes([axis], rank: xd.count, opName) }
        }
        var outs = [ValueInfo(x.elementType, shape)]
        if kind == .max8 { outs.append(ValueInfo(indexType, shape)) }
        return outs
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let r = window.rank
        let inSp = Array(x.shape.suffix(r)), outSp = Array(outputs[0].shape.suffix(r))
        let (pb, pe) = window.pads(input: inSp, kernel: kernel)
        let geo = PoolGeometry(input: padTo3(inSp, fill: 1), output: padTo3(outSp, fill: 1), kernel: padTo3(kernel, fill: 1),
                               strides: padTo3(window.strides, fill: 1), dilations: padTo3(window.dilations, fill: 1),
                               padsBegin: padTo3(pb, fill: 0), padsEnd: padTo3(pe, fill: 0))
        let planes = x.shape[0] * x.shape[1]
        let inPlane = inSp.reduce(1, *), outPlane = outSp.reduce(1, *)
        var indices = [Int](repeating: 0, count: kind == .max8 ? planes * outPlane : 0)
        withF32(x) { xp in
            writeF32(&outputs[0]) { yp in
                for p in 0..<planes {
                    let xs = xp + p * inPlane, ys = yp + p * outPlane
                    if kind == .avg {
                        geo.average(xs, ys, excludePad: excludePad)
                    } else {
                        geo.maximum(xs, ys) { o, i in if !indices.isEmpty { indices[p * outPlane + o] = p * inPlane + i } }
                    }
                }
            }
        }
        if kind == .max8 {
            let ax = try normalizeAxes([axis], rank: x.rank, opName)[0]
            let span = x.shape[ax...].reduce(1, *)
            storeInt64s(indices.map { Int64(span == 0 ? 0 : $0 % span) }, into: &outputs[1])
        }
    }
}

/// Window arithmetic for pooling over (up to) three spatial dims of one `[N, C]` plane.
struct PoolGeometry {
    let input: [Int], output: [Int], kernel: [Int], strides: [Int], dilations: [Int], padsBegin: [Int], padsEnd: [Int]

    /// Window elements of dim `d` starting at `start` that lie in the padded input `[-pad_begin, in + pad_end)`.
    @inline(__always)
    private func paddedSpan(_ d: Int, _ start: Int) -> Int {
        var n = 0
        for k in 0..<kernel[d] {
            let i = start + k * dilations[d]
            if i >= -padsBegin[d] && i < input[d] + padsEnd[d] { n += 1 }
        }
        return n
    }

    /// Calls `body(outputIndex, taps, paddedCount)` for each output, with the flat offsets of its
    /// window's input elements and the size of its window clipped to the padded input.
    private func forEachWindow(_ body: (Int, [Int], Int) -> Void) {
        var taps: [Int] = []
        taps.reserveCapacity(kernel.reduce(1, *))
        var o = 0
        for o0 in 0..<output[0] {
            let s0 = o0 * strides[0] - padsBegin[0], n0 = paddedSpan(0, s0)
            for o1 in 0..<output[1] {
                let s1 = o1 * strides[1] - padsBegin[1], n1 = paddedSpan(1, s1)
                for o2 in 0..<output[2] {
                    let s2 = o2 * strides[2] - padsBegin[2], n2 = paddedSpan(2, s2)
                    taps.removeAll(keepingCapacity: true)
                    for k0 in 0..<kernel[0] {
                        let i0 = s0 + k0 * dilations[0]
                        if i0 < 0 || i0 >= input[0] { continue }
                        for k1 in 0..<kernel[1] {
                            let i1 = s1 + k1 * dilations[1]
                            if i1 < 0 || i1 >= input[1] { continue }
                            for k2 in 0..<kernel[2] {
                                let i2 = s2 + k2 * dilations[2]
                                if i2 < 0 || i2 >= input[2] { continue }
                                taps.append((i0 * input[1] + i1) * input[2] + i2)
                            }
                        }
                    }
                    body(o, taps, n0 * n1 * n2)
                    o += 1
                }
            }
        }
    }

    /// Max over each window (padding ignored; the first maximum wins). `index(o, i)` records the argmax.
    func maximum(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, index: (Int, Int) -> Void) {
        forEachWindow { o, taps, _ in
            var best = -Float.infinity, at = taps.first ?? 0
            for t in taps where x[t] > best { best = x[t]; at = t }
            y[o] = best
            index(o, at)
        }
    }

    /// Mean over each window, dividing by the number of input elements or of padded-window elements.
    func average(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, excludePad: Bool) {
        forEachWindow { o, taps, padded in
            var sum: Float = 0
            for t in taps { sum += x[t] }
            let n = excludePad ? taps.count : padded
            y[o] = n == 0 ? 0 : sum / Float(n)
        }
    }
}

/// AdaptiveAvgPool-8 and AdaptiveMaxPool-8: pools `[N, C, spatial...]` to the spatial sizes of the
/// second input; output `i` of a dim of size `in → out` covers `[floor(i·in/out), ceil((i+1)·in/out))`.
/// AdaptiveMaxPool's second output holds each maximum's index flattened over the spatial dims.
final class AdaptivePoolKernel: Kernel {
    let isMax: Bool
    let indexType: ElementType

    init(_ node: Node, max: Bool) throws {
        isMax = max
        let it = node.attributes.string("index_element_type", default: "i64")
        guard let t = ElementType(irName: it), t == .i64 || t == .i32 else {
            throw OVIRError("attribute 'index_element_type': expected i32 or i64, found \"\(it)\"")
        }
        indexType = t
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        let name = isMax ? "AdaptiveMaxPool" : "AdaptiveAvgPool"
        guard inputs.count == 2 else { throw OVIRError("\(name) takes 2 inputs (data, output_shape), found \(inputs.count)") }
        let x = inputs[0]
        try requireFloat(x.elementType, name)
        var shape = PartialShape.dynamicRank
        if let xd = x.shape.dims {
            guard xd.count >= 3 && xd.count <= 5 else { throw OVIRError("\(name): input must have rank 3 to 5, found \(x.shape)") }
            var dims = Array(xd[0..<2])
            if let v = inputs[1].value {
                let sizes = intValues(v)
                guard sizes.count == xd.count - 2 else {
                    throw OVIRError("\(name): output_shape must hold \(xd.count - 2) sizes, found \(sizes)")
                }
                dims += sizes.map { .fixed($0) }
            } else {
                dims += Array(repeating: .dynamic, count: xd.count - 2)
            }
            shape = PartialShape(dims)
        }
        var outs = [ValueInfo(x.elementType, shape)]
        if isMax { outs.append(ValueInfo(indexType, shape)) }
        return outs
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let r = x.rank - 2
        let inSp = padTo3(Array(x.shape.suffix(r)), fill: 1), outSp = padTo3(Array(outputs[0].shape.suffix(r)), fill: 1)
        let planes = x.shape[0] * x.shape[1]
        let inPlane = inSp.reduce(1, *), outPlane = outSp.reduce(1, *)
        func bin(_ d: Int, _ o: Int) -> Range<Int> { (o * inSp[d] / outSp[d])..<((( o + 1) * inSp[d] + outSp[d] - 1) / outSp[d]) }
        var indices = [Int](repeating: 0, count: isMax ? planes * outPlane : 0)
        withF32(x) { xp in
            writeF32(&outputs[0]) { yp in
                for p in 0..<planes {
                    var o = 0
                    for o0 in 0..<outSp[0] { for o1 in 0..<outSp[1] { for o2 in 0..<outSp[2] {
                        var sum: Float = 0, best = -Float.infinity, at = -1, n = 0
                        for i0 in bin(0, o0) { for i1 in bin(1, o1) { for i2 in bin(2, o2) {
                            let i = (i0 * inSp[1] + i1) * inSp[2] + i2
                            let v = xp[p * inPlane + i]
                            sum += v
                            n += 1
                            if at < 0 || v > best { best = v; at = i }
                        } } }
                        yp[p * outPlane + o] = isMax ? best : (n == 0 ? 0 : sum / Float(n))
                        if isMax { indices[p * outPlane + o] = Swift.max(at, 0) }
                        o += 1
                    } } }
                }
            }
        }
        if isMax { storeInt64s(indices.map { Int64($0) }, into: &outputs[1]) }
    }
}
