/// Element types that data-movement kernels compute with (CumSum, Range, Scatter reductions, TopK,
/// Eye, OneHot): Swift numeric types, with `boolean` handled as `UInt8`.
protocol MovementNumber: Numeric, Comparable {
    init(movementDouble: Double)
    var movementDouble: Double { get }
    /// Division as the element type divides (integers truncate toward zero).
    static func movementDivide(_ a: Self, _ b: Self) -> Self
}

extension MovementNumber where Self: BinaryFloatingPoint {
    init(movementDouble v: Double) { self.init(v) }
    var movementDouble: Double { Double(self) }
    static func movementDivide(_ a: Self, _ b: Self) -> Self { a / b }
}

extension MovementNumber where Self: FixedWidthInteger {
    init(movementDouble v: Double) {
        // As a C cast would (truncation toward zero), saturating instead of trapping.
        guard v.isFinite else { self = v.isNaN ? 0 : (v > 0 ? .max : .min); return }
        self.init(clamping: Int64(Swift.max(Swift.min(v, 9.2e18), -9.2e18)))
    }
    var movementDouble: Double { Double(self) }
    static func movementDivide(_ a: Self, _ b: Self) -> Self { b == 0 ? 0 : a / b }
}

extension Float: MovementNumber {}
extension Double: MovementNumber {}
extension Float16: MovementNumber {}
extension Int64: MovementNumber {}
extension Int32: MovementNumber {}
extension Int16: MovementNumber {}
extension Int8: MovementNumber {}
extension UInt64: MovementNumber {}
extension UInt32: MovementNumber {}
extension UInt16: MovementNumber {}
extension UInt8: MovementNumber {}

/// Work generic over one element type, dispatched from a run-time ``ElementType``.
protocol MovementTask {
    func callAsFunction<T: MovementNumber>(_ type: T.Type) throws
}

extension Movement {
    /// Runs `task` with the Swift type of `type`; an error for bf16 and the packed types.
    static func dispatch(_ type: ElementType, _ op: String, _ task: some MovementTask) throws {
        switch type {
        case .f32: try task(Float.self)
        case .f64: try task(Double.self)
        case .f16: try task(Float16.self)
        case .i64: try task(Int64.self)
        case .i32: try task(Int32.self)
        case .i16: try task(Int16.self)
        case .i8: try task(Int8.self)
        case .u64: try task(UInt64.self)
        case .u32: try task(UInt32.self)
        case .u16: try task(UInt16.self)
        case .u8, .boolean: try task(UInt8.self)
        case .bf16, .u1, .i4, .u4:
            throw OVIRError("\(op): element type \(type.rawValue) is not supported; expected f64, f32, f16 or an integer type of whole bytes")
        }
    }
}
