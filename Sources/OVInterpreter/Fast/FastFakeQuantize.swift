/// FakeQuantize-1 on f32 with per-tensor ranges or ranges that vary along one axis (per-channel):
/// the output is walked as `[outer, C, inner]` with the four range values fixed per channel, and
/// each element uses the reference's exact expression (so every element rounds to the same level).
/// Other range shapes run the reference.
final class SIMDFakeQuantizeKernel: Kernel {
    let reference: FakeQuantizeKernel

    init(reference: FakeQuantizeKernel) { self.reference = reference }

    static func claim(_ node: Node, _ reference: any Kernel, _ inputs: [ValueInfo], _ outputs: [ValueInfo]) -> (any Kernel)? {
        guard let ref = reference as? FakeQuantizeKernel, inputs.count == 5,
              inputs.allSatisfy({ $0.elementType == .f32 }) else { return nil }
        if case .pdpd = ref.broadcast { return nil }
        return SIMDFakeQuantizeKernel(reference: ref)
    }

    var kernelName: String { "simd.fakequantize" }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] { try reference.infer(inputs) }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let shape = outputs[0].shape
        guard inputs[0].shape == shape, let axis = Self.rangeAxis(inputs, shape, reference.broadcast) else {
            return try reference.run(inputs, &outputs, ctx)
        }
        let channels = axis < 0 ? 1 : shape[axis]
        let outer = axis < 0 ? 1 : shape[..<axis].reduce(1, *)
        let inner = axis < 0 ? shape.reduce(1, *) : shape[(axis + 1)...].reduce(1, *)
        // Range values per channel (a range that does not vary is read at 0).
        let ranges: [[Float]] = (1...4).map { k in
            let t = inputs[k], p = t.pointer(Float.self)
            return (0..<channels).map { c in t.count == 1 ? p[0] : p[c] }
        }
        let steps = Float(reference.levels - 1)
        let xp = UnsafePointer(inputs[0].pointer(Float.self)), yp = outputs[0].pointer(Float.self)
        let t = Swift.min(ctx.options.threads, Swift.max(1, shape.reduce(1, *) / 65_536))
        ranges.withUnsafeBufferPointer { r in
            parallelFor(outer * channels, threads: t) { oc in
                let c = oc % channels
                let il = r[0][c], ih = r[1][c], ol = r[2][c], oh = r[3][c]
                let lo = Swift.min(il, ih), hi = Swift.max(il, ih)
                let xs = xp + oc * inner, ys = yp + oc * inner
                for i in 0..<inner {
                    let x = xs[i]
                    let q = ((x - il) / (ih - il) * steps).rounded(.toNearestOrEven) / steps * (oh - ol) + ol
                    ys[i] = x <= lo ? ol : (x > hi ? oh : q)
                }
            }
        }
    }

    /// The one axis along which the ranges vary (-1 when all are scalars), or nil when they vary
    /// along several axes or a range's elements are not laid out along that axis alone.
    static func rangeAxis(_ inputs: [Tensor], _ shape: [Int], _ mode: AutoBroadcast) -> Int? {
        var axis = -1
        for t in inputs[1...4] where t.count != 1 {
            let strides = mode.readStrides(input: t.shape, output: shape)
            let varying = strides.indices.filter { strides[$0] != 0 && shape[$0] != 1 }
            guard varying.count == 1, t.count == shape[varying[0]] else { return nil }
            if axis >= 0 && axis != varying[0] { return nil }
            axis = varying[0]
        }
        return axis
    }
}
