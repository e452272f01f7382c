/// FakeQuantize-1.
enum FakeQuantizeOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("FakeQuantize", 1) { node in try FakeQuantizeKernel(node) },
    ]
}

/// FakeQuantize-1: quantizes `X` to `levels` values between the input range and maps them to the
/// output range. Inputs: X, input_low, input_high, output_low, output_high; the four ranges
/// broadcast to X with `auto_broadcast` (numpy by default: per-tensor or per-channel ranges).
///
/// Per element, as OpenVINO's reference implementation:
/// - `x <= min(il, ih)` → `ol`
/// - `x > max(il, ih)` → `oh`
/// - otherwise `nearbyint((x - il) / (ih - il) * (levels - 1)) / (levels - 1) * (oh - ol) + ol`,
///   evaluated left to right in the element type (f16/bf16 in f32), rounding half to even.
final class FakeQuantizeKernel: Kernel {
    let levels: Int
    let broadcast: AutoBroadcast

    init(_ node: Node) throws {
        levels = try node.attributes.int("levels")
        guard levels >= 2 else { throw OVIRError("FakeQuantize expects levels >= 2, found \(levels)") }
        broadcast = try AutoBroadcast(node.attributes)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 5...5, "FakeQuantize")
        try expectSameTypes(inputs, "FakeQuantize")
        guard inputs[0].elementType.isFloatingPoint else {
            throw unsupportedType("FakeQuantize", inputs[0].elementType, "f32, f16, bf16 or f64")
        }
        var shape = inputs[0].shape
        for (i, r) in inputs.enumerated().dropFirst() {
            let merged = try broadcast.partialShape(shape, r.shape)
            if let x = inputs[0].shape.staticShape, let m = merged.staticShape, m != x {
                throw OVIRError("FakeQuantize input \(i) of shape \(r.shape) does not broadcast to the data shape \(inputs[0].shape)")
            }
            if case .none = broadcast { continue }
            shape = merged
        }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape.isStatic ? inputs[0].shape : shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        switch inputs[0].elementType {
        case .f64: quantize(inputs, &outputs[0], Double.self)
        default: computingHalfInF32(inputs, &outputs[0]) { ins, out in quantize(ins, &out, Float.self) }
        }
    }

    private func quantize<T: KernelFloat>(_ ins: [Tensor], _ out: inout Tensor, _: T.Type) {
        let x = ins[0].pointer(T.self), po = out.pointer(T.self)
        let il = ins[1].pointer(T.self), ih = ins[2].pointer(T.self)
        let ol = ins[3].pointer(T.self), oh = ins[4].pointer(T.self)
        let steps = T(levels - 1)
        if ins.dropFirst().allSatisfy({ $0.count == 1 }) {
            let a = il[0], b = ih[0], c = ol[0], d = oh[0]
            for i in 0..<out.count { po[i] = fakeQuantize(x[i], a, b, c, d, steps) }
            return
        }
        let strides = ins.map { broadcast.readStrides(input: $0.shape, output: out.shape) }
        forEachBroadcastN(out.shape, strides) { o, k in
            po[o] = fakeQuantize(x[k[0]], il[k[1]], ih[k[2]], ol[k[3]], oh[k[4]], steps)
        }
    }
}

/// One FakeQuantize element (see ``FakeQuantizeKernel``); `steps` is `levels - 1`.
@inline(__always)
func fakeQuantize<T: KernelFloat>(_ x: T, _ il: T, _ ih: T, _ ol: T, _ oh: T, _ steps: T) -> T {
    if x <= Swift.min(il, ih) { return ol }
    if x > Swift.max(il, ih) { return oh }
    return ((x - il) / (ih - il) * steps).rounded(.toNearestOrEven) / steps * (oh - ol) + ol
}
