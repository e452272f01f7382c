/// Interpolate ops: Interpolate-1, Interpolate-4 and Interpolate-11.
enum InterpolateOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("Interpolate", 1) { node in try InterpolateKernel(node, version: 1) },
        OpDefinition("Interpolate", 4) { node in try InterpolateKernel(node, version: 4) },
        OpDefinition("Interpolate", 11) { node in try InterpolateKernel(node, version: 11) },
    ]
}

/// Interpolate-1, -4 and -11: resizes the (zero-padded) input along `axes`.
///
/// The output size of an axis is `sizes[i]` (`shape_calculation_mode="sizes"`) or
/// `floor(padded_in · scales[i])` (`"scales"`). Each output coordinate maps back to the input
/// through `coordinate_transformation_mode`, then `mode` picks the taps: nearest (rounded by
/// `nearest_mode`), linear (triangle filter, widened by `antialias` when downsampling),
/// linear_onnx (2 taps), cubic (4 taps with `cube_coeff`), bilinear_pillow/bicubic_pillow
/// (Pillow's antialiased filters, v11). Every mode is separable, so axes are resampled one after
/// the other. Interpolate-1 is read as Interpolate-4 in sizes mode (`align_corners` → align_corners
/// coordinates, otherwise half_pixel; nearest → asymmetric/simple; linear → linear_onnx).
final class InterpolateKernel: Kernel {
    let version: Int
    let attrs: InterpolateAttributes
    /// Axes from the attribute (Interpolate-1 only).
    let axesAttribute: [Int]?

    init(_ node: Node, version: Int) throws {
        self.version = version
        let a = node.attributes
        if version == 1 {
            attrs = try InterpolateAttributes(v1: a)
            axesAttribute = try a.ints("axes")
        } else {
            attrs = try InterpolateAttributes(a, version: version)
            axesAttribute = nil
        }
    }

    /// Input indices of sizes, scales and axes (nil: absent).
    private func inputIndices(_ count: Int) -> (sizes: Int?, scales: Int?, axes: Int?) {
        switch version {
        case 1: return (1, nil, nil)
        case 4: return (attrs.useSizes ? 1 : nil, attrs.useSizes ? nil : 2, count > 3 ? 3 : nil)
        default: return (attrs.useSizes ? 1 : nil, attrs.useSizes ? nil : 1, count > 2 ? 2 : nil)
        }
    }

    /// The resolved plan for one input shape: padded input shape, axes, per-axis output size and scale.
    struct Plan {
        var padded: [Int]
        var axes: [Int]
        var outSizes: [Int]
        var scales: [Float]
        var outShape: [Int] {
            var s = padded
            for (k, a) in axes.enumerated() { s[a] = outSizes[k] }
            return s
        }
    }

    private func axes(rank: Int, _ inputs: [ValueInfo], _ axesIndex: Int?) throws -> [Int]? {
        if let axesAttribute { return try normalizeAxes(axesAttribute, rank: rank, "Interpolate") }
        guard let axesIndex else { return Array(0..<rank) }
        guard let v = inputs[axesIndex].value else { return nil }
        return try normalizeAxes(intValues(v), rank: rank, "Interpolate")
    }

    /// The resized axes for a run's inputs (nil when they are not known).
    func runAxes(rank: Int, _ inputs: [ValueInfo]) throws -> [Int]? {
        try axes(rank: rank, inputs, inputIndices(inputs.count).axes)
    }

    /// Output sizes for `axes` of a padded shape, or nil when sizes/scales are not known yet.
    func plan(padded: [Int], axes: [Int], _ inputs: [ValueInfo]) throws -> Plan? {
        let idx = inputIndices(inputs.count)
        if attrs.useSizes {
            guard let si = idx.sizes, let v = inputs[si].value else { return nil }
            var sizes = intValues(v)
            // Sizes may be given for every dim (then only `axes` are read).
            if sizes.count == padded.count && axes.count != padded.count { sizes = axes.map { sizes[$0] } }
            guard sizes.count == axes.count else {
                throw OVIRError("Interpolate: sizes hold \(sizes.count) values for \(axes.count) axes")
            }
            let scales = zip(axes, sizes).map { a, s in padded[a] == 0 ? 1 : Float(s) / Float(padded[a]) }
            return Plan(padded: padded, axes: axes, outSizes: sizes, scales: scales)
        }
        guard let si = idx.scales, let v = inputs[si].value else { return nil }
        var scales = v.floatValues()
        if scales.count == padded.count && axes.count != padded.count { scales = axes.map { scales[$0] } }
        guard scales.count == axes.count else {
            throw OVIRError("Interpolate: scales hold \(scales.count) values for \(axes.count) axes")
        }
        // OpenVINO rounds the scaled size down after adding a small epsilon.
        let sizes = zip(axes, scales).map { a, s in Int((Double(padded[a]) * Double(s) + 1e-5).rounded(.down)) }
        return Plan(padded: padded, axes: axes, outSizes: sizes, scales: scales)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        let expected = version == 1 ? [2] : version == 4 ? [3, 4] : [2, 3]
        guard expected.contains(inputs.count) else {
            throw OVIRError("Interpolate-\(version) takes \(expected.map(String.init).joined(separator: " or ")) inputs, found \(inputs.count)")
        }
        let x = inputs[0]
        guard let dims = x.shape.dims else { return [ValueInfo(x.elementType, .dynamicRank)] }
        let rank = dims.count
        let pb = attrs.padsBegin(rank), pe = attrs.padsEnd(rank)
        guard pb.count == rank, pe.count == rank else {
            throw OVIRError("Interpolate: pads_begin \(attrs.padsBeginRaw) and pads_end \(attrs.padsEndRaw) must have \(rank) values")
        }
        let paddedDims: [Dimension] = dims.enumerated().map { d, dim in dim.staticValue.map { .fixed($0 + pb[d] + pe[d]) } ?? .dynamic }
        guard let axes = try axes(rank: rank, inputs, inputIndices(inputs.count).axes) else {
            return [ValueInfo(x.elementType, PartialShape(paddedDims.map { _ in .dynamic }))]
        }
        var out = paddedDims
        let staticPadded = paddedDims.map { $0.staticValue ?? 0 }
        let known = axes.allSatisfy { paddedDims[$0].isStatic } || attrs.useSizes
        if known, let p = try plan(padded: staticPadded, axes: axes, inputs) {
            for (k, a) in axes.enumerated() { out[a] = .fixed(p.outSizes[k]) }
        } else {
            for a in axes { out[a] = .dynamic }
        }
        return [ValueInfo(x.elementType, PartialShape(out))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let infos = inputs.map { ValueInfo($0) }
        let rank = x.rank
        let pb = attrs.padsBegin(rank), pe = attrs.padsEnd(rank)
        let padded = (0..<rank).map { x.shape[$0] + pb[$0] + pe[$0] }
        guard let axes = try axes(rank: rank, infos, inputIndices(inputs.count).axes),
              let plan = try plan(padded: padded, axes: axes, infos) else {
            throw OVIRError("Interpolate: sizes, scales and axes must be known to run")
        }
        var current = withF32(x) { xp in padInput(xp, shape: x.shape, padsBegin: pb, padded: padded) }
        var shape = padded
        for (k, axis) in plan.axes.enumerated() where !(plan.outSizes[k] == shape[axis] && plan.scales[k] == 1) {
            let taps = attrs.taps(inSize: shape[axis], outSize: plan.outSizes[k], scale: plan.scales[k])
            current = resampleAxis(current, shape: shape, axis: axis, taps: taps)
            shape[axis] = plan.outSizes[k]
        }
        guard shape == outputs[0].shape else {
            throw OVIRError("Interpolate: computed shape \(shape) differs from the expected output shape \(outputs[0].shape)")
        }
        storeFloats(current, into: &outputs[0])
    }

    /// The input copied into a zero-padded buffer of shape `padded` (negative pads crop).
    private func padInput(_ x: UnsafePointer<Float>, shape: [Int], padsBegin: [Int], padded: [Int]) -> [Float] {
        let count = padded.reduce(1, *)
        if padsBegin.allSatisfy({ $0 == 0 }) && padded == shape { return Array(UnsafeBufferPointer(start: x, count: count)) }
        var out = [Float](repeating: 0, count: count)
        let inStrides = contiguousStrides(shape)
        var index = [Int](repeating: 0, count: padded.count)
        for o in 0..<count {
            var src = 0, inside = true
            for d in 0..<padded.count {
                let i = index[d] - padsBegin[d]
                if i < 0 || i >= shape[d] { inside = false; break }
                src += i * inStrides[d]
            }
            if inside { out[o] = x[src] }
            var d = padded.count - 1
            while d >= 0 { index[d] += 1; if index[d] < padded[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }

    /// Resamples one axis: `out[o, j, i] = Σ_t w_jt · in[o, idx_jt, i]`.
    private func resampleAxis(_ x: [Float], shape: [Int], axis: Int, taps: [[(Int, Float)]]) -> [Float] {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let n = shape[axis], m = taps.count
        var y = [Float](repeating: 0, count: outer * m * inner)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                for o in 0..<outer {
                    for j in 0..<m {
                        let dst = (o * m + j) * inner
                        for (idx, w) in taps[j] {
                            let src = (o * n + idx) * inner
                            for i in 0..<inner { yp[dst + i] += w * xp[src + i] }
                        }
                    }
                }
            }
        }
        return y
    }
}
