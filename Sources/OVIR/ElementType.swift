/// An OpenVINO element type, named as OpenVINO's short names (`f32`, `i64`, `boolean`, …).
///
/// Sub-byte types (`u1`, `i4`, `u4`) are stored packed, as OpenVINO stores them: `u1` holds eight
/// elements per byte with the first element in the most significant bit; `i4`/`u4` hold two elements
/// per byte with the first element in the low nibble.
public enum ElementType: String, CaseIterable, Sendable, Hashable, Codable {
    case f64, f32, f16, bf16
    case i64, i32, i16, i8
    case u64, u32, u16, u8
    case boolean, u1, i4, u4

    /// Bits per element.
    public var bitWidth: Int {
        switch self {
        case .f64, .i64, .u64: return 64
        case .f32, .i32, .u32: return 32
        case .f16, .bf16, .i16, .u16: return 16
        case .i8, .u8, .boolean: return 8
        case .i4, .u4: return 4
        case .u1: return 1
        }
    }

    /// Whole bytes per element; 0 for the packed sub-byte types.
    public var byteWidth: Int { bitWidth >= 8 ? bitWidth / 8 : 0 }

    public var isFloatingPoint: Bool { self == .f64 || self == .f32 || self == .f16 || self == .bf16 }
    public var isSigned: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16, .i64, .i32, .i16, .i8, .i4: return true
        default: return false
        }
    }
    public var isInteger: Bool { !isFloatingPoint && self != .boolean }

    /// Bytes needed for `count` elements (sub-byte types round up to whole bytes).
    public func byteCount(for count: Int) -> Int {
        bitWidth >= 8 ? count * (bitWidth / 8) : (count * bitWidth + 7) / 8
    }

    /// The IR's legacy `precision` name written on ports (`FP32`, `I64`, `BOOL`, …).
    public var irPrecision: String {
        switch self {
        case .f64: return "FP64"
        case .f32: return "FP32"
        case .f16: return "FP16"
        case .bf16: return "BF16"
        case .i64: return "I64"
        case .i32: return "I32"
        case .i16: return "I16"
        case .i8: return "I8"
        case .u64: return "U64"
        case .u32: return "U32"
        case .u16: return "U16"
        case .u8: return "U8"
        case .boolean: return "BOOL"
        case .u1: return "BIN"
        case .i4: return "I4"
        case .u4: return "U4"
        }
    }

    /// Parses an element type as written in IR: short names (`f32`, `boolean`) or port precisions (`FP32`, `BOOL`).
    /// Returns nil for names SwiftPOT does not support (string, f8, nf4, dynamic, …).
    public init?(irName: String) {
        if let t = ElementType(rawValue: irName) { self = t; return }
        switch irName.uppercased() {
        case "FP64": self = .f64
        case "FP32": self = .f32
        case "FP16": self = .f16
        case "BF16": self = .bf16
        case "I64": self = .i64
        case "I32": self = .i32
        case "I16": self = .i16
        case "I8": self = .i8
        case "U64": self = .u64
        case "U32": self = .u32
        case "U16": self = .u16
        case "U8": self = .u8
        case "BOOL", "BOOLEAN": self = .boolean
        case "BIN", "U1": self = .u1
        case "I4": self = .i4
        case "U4": self = .u4
        default: return nil
        }
    }

    /// The numpy dtype string (`<f4`, `|b1`, …), nil for types numpy has no dtype for (bf16, u1, i4, u4).
    public var npyDescr: String? {
        switch self {
        case .f64: return "<f8"
        case .f32: return "<f4"
        case .f16: return "<f2"
        case .i64: return "<i8"
        case .i32: return "<i4"
        case .i16: return "<i2"
        case .i8: return "|i1"
        case .u64: return "<u8"
        case .u32: return "<u4"
        case .u16: return "<u2"
        case .u8: return "|u1"
        case .boolean: return "|b1"
        case .bf16, .u1, .i4, .u4: return nil
        }
    }
}
