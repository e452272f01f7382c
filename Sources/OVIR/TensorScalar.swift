/// A Swift type that is the storage of one ``ElementType``.
public protocol TensorScalar: Sendable {
    static var elementType: ElementType { get }
}

extension Float: TensorScalar { public static var elementType: ElementType { .f32 } }
extension Double: TensorScalar { public static var elementType: ElementType { .f64 } }
extension Float16: TensorScalar { public static var elementType: ElementType { .f16 } }
extension Int64: TensorScalar { public static var elementType: ElementType { .i64 } }
extension Int32: TensorScalar { public static var elementType: ElementType { .i32 } }
extension Int16: TensorScalar { public static var elementType: ElementType { .i16 } }
extension Int8: TensorScalar { public static var elementType: ElementType { .i8 } }
extension UInt64: TensorScalar { public static var elementType: ElementType { .u64 } }
extension UInt32: TensorScalar { public static var elementType: ElementType { .u32 } }
extension UInt16: TensorScalar { public static var elementType: ElementType { .u16 } }
extension UInt8: TensorScalar { public static var elementType: ElementType { .u8 } }
extension Bool: TensorScalar { public static var elementType: ElementType { .boolean } }

/// bfloat16: the top 16 bits of an IEEE f32. Conversion from Float rounds to nearest even, as OpenVINO does.
public struct BFloat16: TensorScalar, Hashable, CustomStringConvertible {
    public static var elementType: ElementType { .bf16 }
    public var bitPattern: UInt16
    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }
    public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN {
            bitPattern = UInt16(truncatingIfNeeded: bits >> 16) | 0x40
        } else {
            let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
            bitPattern = UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
        }
    }
    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }
    public var description: String { floatValue.description }
}
