/// Convert-1 and ConvertLike-1.
enum ConvertOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("Convert", 1) { node in try ConvertKernel(node) },
        OpDefinition("ConvertLike", 1) { node in ConvertKernel(like: node) },
    ]
}

/// Convert-1 (`destination_type`) and ConvertLike-1 (the element type of input 1), with the
/// numerics of OpenVINO's CPU plugin (`cpu_convert`):
///
/// - float → integer or boolean: clamp to the destination's range (its bounds as the source type
///   holds them), then truncate toward zero as x86's `cvtt*` instructions do. So f32 → u8 maps -3.7
///   to 0 and 300 to 255; f32 → boolean maps 0.5 to false and 2 to true; NaN becomes 0 (i32: Int32.min,
///   i64: Int64.min, u64: 2^63); f32 → i32 of 3e9 gives Int32.min because Float(Int32.max) is 2^31.
/// - integer → integer or boolean: saturate (i32 -1 → u8 0, i64 3e9 → i32 Int32.max, 5 → true).
/// - → f16/bf16: through f32, rounding to nearest even (f64 → f16 rounds twice, as the CPU does).
final class ConvertKernel: Kernel {
    /// The destination type; nil for ConvertLike (the type of input 1).
    let destination: ElementType?
    let name: String

    init(_ node: Node) throws {
        let text = try node.attributes.string("destination_type")
        guard let t = ElementType(irName: text) else {
            throw OVIRError("attribute 'destination_type': expected one of \(ElementType.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(text)\"")
        }
        destination = t
        name = node.type
    }

    init(like node: Node) {
        destination = nil
        name = node.type
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, destination == nil ? 2...2 : 1...1, name)
        return [ValueInfo(destination ?? inputs[1].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        convertElements(inputs[0], into: &outputs[0])
    }
}

/// Converts every element of `src` into `dst` (same element count) with OpenVINO CPU semantics.
func convertElements(_ src: Tensor, into dst: inout Tensor) {
    if src.elementType == dst.elementType {
        dst.rawPointer.copyMemory(from: src.rawPointer, byteCount: src.byteCount)
        return
    }
    if src.elementType.bitWidth < 8 || dst.elementType.bitWidth < 8 {
        convertPacked(src, into: &dst)
        return
    }
    switch src.elementType {
    case .f32: convert(src, Float.self, into: &dst)
    case .f64: convert(src, Double.self, into: &dst)
    case .f16, .bf16: convert(src.widenedToF32(), Float.self, into: &dst)
    case .i8: convert(src, Int8.self, into: &dst)
    case .i16: convert(src, Int16.self, into: &dst)
    case .i32: convert(src, Int32.self, into: &dst)
    case .i64: convert(src, Int64.self, into: &dst)
    case .u8, .boolean: convert(src, UInt8.self, into: &dst)
    case .u16: convert(src, UInt16.self, into: &dst)
    case .u32: convert(src, UInt32.self, into: &dst)
    case .u64: convert(src, UInt64.self, into: &dst)
    case .u1, .u4, .i4: convertPacked(src, into: &dst)
    }
}

private func convert<S: KernelFloat>(_ src: Tensor, _ s: S.Type, into dst: inout Tensor) {
    switch dst.elementType {
    case .f32: mapUnary(src, &dst, s, Float.self) { Float($0) }
    case .f64: mapUnary(src, &dst, s, Double.self) { Double($0) }
    case .f16: mapUnary(src, &dst, s, Float16.self) { Float16(Float($0)) }
    case .bf16: mapUnary(src, &dst, s, UInt16.self) { BFloat16(Float($0)).bitPattern }
    case .i8: floatToInt(src, s, Int8.self, &dst)
    case .i16: floatToInt(src, s, Int16.self, &dst)
    case .i32: floatToInt(src, s, Int32.self, &dst)
    case .i64: floatToInt(src, s, Int64.self, &dst)
    case .u8: floatToInt(src, s, UInt8.self, &dst)
    case .u16: floatToInt(src, s, UInt16.self, &dst)
    case .u32: floatToInt(src, s, UInt32.self, &dst)
    case .u64: floatToInt(src, s, UInt64.self, &dst)
    case .boolean: mapUnary(src, &dst, s, UInt8.self) { x in UInt8(x86Truncate(x > 1 ? 1 : (x < 0 ? 0 : x), UInt8.self)) }
    case .u1, .u4, .i4: break   // handled by convertPacked
    }
}

private func floatToInt<S: KernelFloat, D: KernelInt>(_ src: Tensor, _ s: S.Type, _ d: D.Type, _ dst: inout Tensor) {
    // Bounds as the source type holds them: Float(Int32.max) rounds up to 2^31.
    let lo = S(D.min), hi = S(D.max)
    mapUnary(src, &dst, s, d) { x in x86Truncate(x > hi ? hi : (x < lo ? lo : x), d) }
}

/// A C `static_cast` of a float to `D` as x86-64 compiles it: `cvtt` into 32 bits for narrow types,
/// 64 bits for u32, with the "integer indefinite" value (the sign bit alone) for NaN and overflow.
@inline(__always)
func x86Truncate<S: BinaryFloatingPoint, D: KernelInt>(_ x: S, _: D.Type) -> D {
    func cvt64(_ v: S) -> Int64 {
        (v.isNaN || v >= 0x1p63 || v < -0x1p63) ? Int64.min : Int64(v)
    }
    switch D.bitWidth {
    case 64:
        if D.isSigned { return D(truncatingIfNeeded: cvt64(x)) }
        if x.isNaN || x < 0x1p63 { return D(truncatingIfNeeded: cvt64(x)) }
        return D(truncatingIfNeeded: UInt64(bitPattern: cvt64(x - 0x1p63)) ^ (1 << 63))
    case 32 where !D.isSigned:
        return D(truncatingIfNeeded: cvt64(x))
    default:
        let v: Int32 = (x.isNaN || x >= 0x1p31 || x < -0x1p31) ? Int32.min : Int32(x)
        return D(truncatingIfNeeded: v)
    }
}

private func convert<S: KernelInt>(_ src: Tensor, _ s: S.Type, into dst: inout Tensor) {
    switch dst.elementType {
    case .f32: mapUnary(src, &dst, s, Float.self) { Float($0) }
    case .f64: mapUnary(src, &dst, s, Double.self) { Double($0) }
    case .f16: mapUnary(src, &dst, s, Float16.self) { Float16(Float($0)) }
    case .bf16: mapUnary(src, &dst, s, UInt16.self) { BFloat16(Float($0)).bitPattern }
    case .i8: mapUnary(src, &dst, s, Int8.self) { Int8(clamping: $0) }
    case .i16: mapUnary(src, &dst, s, Int16.self) { Int16(clamping: $0) }
    case .i32: mapUnary(src, &dst, s, Int32.self) { Int32(clamping: $0) }
    case .i64: mapUnary(src, &dst, s, Int64.self) { Int64(clamping: $0) }
    case .u8: mapUnary(src, &dst, s, UInt8.self) { UInt8(clamping: $0) }
    case .u16: mapUnary(src, &dst, s, UInt16.self) { UInt16(clamping: $0) }
    case .u32: mapUnary(src, &dst, s, UInt32.self) { UInt32(clamping: $0) }
    case .u64: mapUnary(src, &dst, s, UInt64.self) { UInt64(clamping: $0) }
    case .boolean: mapUnary(src, &dst, s, UInt8.self) { $0 > 0 ? 1 : 0 }
    case .u1, .u4, .i4: break   // handled by convertPacked
    }
}

/// Conversions from or to the packed sub-byte types (u1, u4, i4), element by element.
private func convertPacked(_ src: Tensor, into dst: inout Tensor) {
    let n = src.count
    if dst.elementType.bitWidth < 8 {
        let lo: Int64 = dst.elementType == .i4 ? -8 : 0
        let hi: Int64 = dst.elementType == .u1 ? 1 : (dst.elementType == .i4 ? 7 : 15)
        let values = (0..<n).map { i -> Int64 in
            let v = src.elementType.isFloatingPoint ? saturatingInt64(src.doubleValue(at: i).rounded(.towardZero)) : src.int64Value(at: i)
            return Swift.min(Swift.max(v, lo), hi)
        }
        dst = Tensor(packing: values, as: dst.elementType, shape: dst.shape)
        return
    }
    let wide = Tensor(uninitialized: .i64, shape: src.shape)
    let p = wide.pointer(Int64.self)
    for i in 0..<n { p[i] = src.int64Value(at: i) }
    convertElements(wide, into: &dst)
}
