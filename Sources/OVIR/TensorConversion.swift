/// Element access across element types: reading any tensor as Double, Float or Int64, and building
/// tensors of any element type from those.
extension Tensor {
    /// Element `i` as Double (exact for every type but i64/u64 beyond 2^53).
    public func doubleValue(at i: Int) -> Double {
        let p = buffer.bytes
        switch elementType {
        case .f64: return p.load(fromByteOffset: i * 8, as: Double.self)
        case .f32: return Double(p.load(fromByteOffset: i * 4, as: Float.self))
        case .f16: return Double(p.load(fromByteOffset: i * 2, as: Float16.self))
        case .bf16: return Double(BFloat16(bitPattern: p.load(fromByteOffset: i * 2, as: UInt16.self)).floatValue)
        case .i64: return Double(p.load(fromByteOffset: i * 8, as: Int64.self))
        case .i32: return Double(p.load(fromByteOffset: i * 4, as: Int32.self))
        case .i16: return Double(p.load(fromByteOffset: i * 2, as: Int16.self))
        case .i8: return Double(p.load(fromByteOffset: i, as: Int8.self))
        case .u64: return Double(p.load(fromByteOffset: i * 8, as: UInt64.self))
        case .u32: return Double(p.load(fromByteOffset: i * 4, as: UInt32.self))
        case .u16: return Double(p.load(fromByteOffset: i * 2, as: UInt16.self))
        case .u8: return Double(p.load(fromByteOffset: i, as: UInt8.self))
        case .boolean: return p.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0
        case .u1, .i4, .u4: return Double(packedValue(at: i))
        }
    }

    /// Element `i` as Int64 (floats truncate toward zero; exact for every integer type but u64 above Int64.max).
    public func int64Value(at i: Int) -> Int64 {
        let p = buffer.bytes
        switch elementType {
        case .i64: return p.load(fromByteOffset: i * 8, as: Int64.self)
        case .i32: return Int64(p.load(fromByteOffset: i * 4, as: Int32.self))
        case .i16: return Int64(p.load(fromByteOffset: i * 2, as: Int16.self))
        case .i8: return Int64(p.load(fromByteOffset: i, as: Int8.self))
        case .u64: return Int64(truncatingIfNeeded: p.load(fromByteOffset: i * 8, as: UInt64.self))
        case .u32: return Int64(p.load(fromByteOffset: i * 4, as: UInt32.self))
        case .u16: return Int64(p.load(fromByteOffset: i * 2, as: UInt16.self))
        case .u8: return Int64(p.load(fromByteOffset: i, as: UInt8.self))
        case .boolean: return p.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0
        case .u1, .i4, .u4: return packedValue(at: i)
        case .f64, .f32, .f16, .bf16:
            let d = doubleValue(at: i)
            guard d.isFinite else { return d.isNaN ? 0 : (d > 0 ? Int64.max : Int64.min) }
            if d >= 9.2233720368547758e18 { return Int64.max }
            if d <= -9.2233720368547758e18 { return Int64.min }
            return Int64(d)
        }
    }

    /// Unpacked value of a sub-byte element.
    func packedValue(at i: Int) -> Int64 {
        let p = buffer.bytes.assumingMemoryBound(to: UInt8.self)
        switch elementType {
        case .u1: return Int64((p[i >> 3] >> (7 - UInt8(i & 7))) & 1)
        case .u4: return Int64((i & 1 == 0) ? (p[i >> 1] & 0x0F) : (p[i >> 1] >> 4))
        case .i4:
            let nib = (i & 1 == 0) ? (p[i >> 1] & 0x0F) : (p[i >> 1] >> 4)
            return Int64(nib >= 8 ? Int(nib) - 16 : Int(nib))
        default: preconditionFailure("packedValue on \(elementType)")
        }
    }

    /// All elements as Double.
    public func doubleValues() -> [Double] { (0..<count).map { doubleValue(at: $0) } }

    /// All elements as Float.
    public func floatValues() -> [Float] {
        if elementType == .f32 { return Array(UnsafeBufferPointer(start: pointer(Float.self), count: count)) }
        return (0..<count).map { Float(doubleValue(at: $0)) }
    }

    /// All elements as Int64 (floats truncate toward zero).
    public func int64Values() -> [Int64] {
        if elementType == .i64 { return Array(UnsafeBufferPointer(start: pointer(Int64.self), count: count)) }
        return (0..<count).map { int64Value(at: $0) }
    }

    /// Packs integer values into a sub-byte tensor (`u1`, `i4`, `u4`); values are masked to the width.
    public init(packing values: [Int64], as type: ElementType, shape: [Int]) {
        precondition(type.bitWidth < 8, "Tensor(packing:) is for u1, i4 and u4")
        self.init(zeros: type, shape: shape)
        let p = buffer.bytes.assumingMemoryBound(to: UInt8.self)
        for (i, v) in values.enumerated() {
            switch type {
            case .u1: if v != 0 { p[i >> 3] |= UInt8(0x80) >> UInt8(i & 7) }
            default:
                let nib = UInt8(truncatingIfNeeded: v) & 0x0F
                p[i >> 1] |= (i & 1 == 0) ? nib : (nib << 4)
            }
        }
    }

    /// Stores `value` into element `i`, converting as a C cast would (floats to integers truncate;
    /// out-of-range values wrap). Use for building test data and constants, not in kernels.
    public mutating func setDouble(_ value: Double, at i: Int) {
        makeUnique()
        let p = buffer.bytes
        func int(_ v: Double) -> Int64 {
            guard v.isFinite else { return 0 }
            return v >= 9.2233720368547758e18 ? Int64.max : (v <= -9.2233720368547758e18 ? Int64.min : Int64(v))
        }
        switch elementType {
        case .f64: p.storeBytes(of: value, toByteOffset: i * 8, as: Double.self)
        case .f32: p.storeBytes(of: Float(value), toByteOffset: i * 4, as: Float.self)
        case .f16: p.storeBytes(of: Float16(Float(value)), toByteOffset: i * 2, as: Float16.self)
        case .bf16: p.storeBytes(of: BFloat16(Float(value)).bitPattern, toByteOffset: i * 2, as: UInt16.self)
        case .i64: p.storeBytes(of: int(value), toByteOffset: i * 8, as: Int64.self)
        case .i32: p.storeBytes(of: Int32(truncatingIfNeeded: int(value)), toByteOffset: i * 4, as: Int32.self)
        case .i16: p.storeBytes(of: Int16(truncatingIfNeeded: int(value)), toByteOffset: i * 2, as: Int16.self)
        case .i8: p.storeBytes(of: Int8(truncatingIfNeeded: int(value)), toByteOffset: i, as: Int8.self)
        case .u64: p.storeBytes(of: value >= 9.2233720368547758e18 ? UInt64(value) : UInt64(bitPattern: int(value)), toByteOffset: i * 8, as: UInt64.self)
        case .u32: p.storeBytes(of: UInt32(truncatingIfNeeded: int(value)), toByteOffset: i * 4, as: UInt32.self)
        case .u16: p.storeBytes(of: UInt16(truncatingIfNeeded: int(value)), toByteOffset: i * 2, as: UInt16.self)
        case .u8: p.storeBytes(of: UInt8(truncatingIfNeeded: int(value)), toByteOffset: i, as: UInt8.self)
        case .boolean: p.storeBytes(of: UInt8(value != 0 ? 1 : 0), toByteOffset: i, as: UInt8.self)
        case .u1, .i4, .u4:
            let q = p.assumingMemoryBound(to: UInt8.self)
            let v = int(value)
            if elementType == .u1 {
                let mask = UInt8(0x80) >> UInt8(i & 7)
                q[i >> 3] = v != 0 ? (q[i >> 3] | mask) : (q[i >> 3] & ~mask)
            } else {
                let nib = UInt8(truncatingIfNeeded: v) & 0x0F
                q[i >> 1] = (i & 1 == 0) ? ((q[i >> 1] & 0xF0) | nib) : ((q[i >> 1] & 0x0F) | (nib << 4))
            }
        }
    }

    /// A tensor of `type` holding `values` converted as by ``setDouble(_:at:)``.
    public init(doubles values: [Double], as type: ElementType, shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "Tensor(doubles:): \(values.count) values for shape \(shape)")
        self.init(zeros: type, shape: shape)
        for (i, v) in values.enumerated() { setDouble(v, at: i) }
    }
}
