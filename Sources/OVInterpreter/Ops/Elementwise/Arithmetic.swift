/// The binary arithmetic ops that share one kernel.
enum ArithmeticOp: Sendable {
    case add, subtract, multiply, divide, power, maximum, minimum, floorMod, mod, squaredDifference
}

/// Binary arithmetic with `auto_broadcast` (numpy, pdpd, none): Add-1, Subtract-1, Multiply-1,
/// Divide-1, Power-1, Maximum-1, Minimum-1, FloorMod-1, Mod-1, SquaredDifference-1.
///
/// Numerics follow OpenVINO's CPU plugin: f16/bf16 compute in f32 and round back; 8- and 16-bit
/// integers compute exactly and saturate into their range (the CPU plugin computes them in f32 and
/// stores with saturation, so 200 + 100 in u8 is 255); 32- and 64-bit integers wrap.
/// Divide on integers floors when `m_pythondiv` (default true) and truncates otherwise; integer
/// division or modulo by zero gives 0 (8/16-bit: the saturated sign of the dividend for Divide).
final class BinaryArithmeticKernel: Kernel {
    let op: ArithmeticOp
    let name: String
    let broadcast: AutoBroadcast
    let pythonDivision: Bool

    init(_ node: Node, _ op: ArithmeticOp) throws {
        self.op = op
        name = node.type
        broadcast = try AutoBroadcast(node.attributes)
        pythonDivision = op == .divide ? try node.attributes.bool("m_pythondiv", default: true) : true
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 2...2, name)
        try expectSameTypes(inputs, name)
        let t = inputs[0].elementType
        guard t != .boolean, t.bitWidth >= 8 else { throw unsupportedType(name, t, "a floating-point or 8..64-bit integer type") }
        return [ValueInfo(t, try broadcast.partialShape(inputs[0].shape, inputs[1].shape))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0], b = inputs[1]
        switch a.elementType {
        case .f32: floatRun(a, b, &outputs[0], Float.self)
        case .f64: floatRun(a, b, &outputs[0], Double.self)
        case .f16, .bf16:
            computingHalfInF32(inputs, &outputs[0]) { ins, out in floatRun(ins[0], ins[1], &out, Float.self) }
        case .i8: smallIntRun(a, b, &outputs[0], Int8.self)
        case .i16: smallIntRun(a, b, &outputs[0], Int16.self)
        case .u8: smallIntRun(a, b, &outputs[0], UInt8.self)
        case .u16: smallIntRun(a, b, &outputs[0], UInt16.self)
        case .i32: wideIntRun(a, b, &outputs[0], Int32.self)
        case .i64: wideIntRun(a, b, &outputs[0], Int64.self)
        case .u32: wideIntRun(a, b, &outputs[0], UInt32.self)
        case .u64: wideIntRun(a, b, &outputs[0], UInt64.self)
        case .boolean, .u1, .u4, .i4: throw unsupportedType(name, a.elementType, "a floating-point or 8..64-bit integer type")
        }
    }

    private func floatRun<T: KernelFloat>(_ a: Tensor, _ b: Tensor, _ out: inout Tensor, _ t: T.Type) {
        switch op {
        case .add: mapBinary(a, b, &out, broadcast, t, t, t) { $0 + $1 }
        case .subtract: mapBinary(a, b, &out, broadcast, t, t, t) { $0 - $1 }
        case .multiply: mapBinary(a, b, &out, broadcast, t, t, t) { $0 * $1 }
        case .divide: mapBinary(a, b, &out, broadcast, t, t, t) { $0 / $1 }
        case .power: mapBinary(a, b, &out, broadcast, t, t, t) { T.mPow($0, $1) }
        // As the CPU's maxps/minps: when either side is NaN the second operand is returned.
        case .maximum: mapBinary(a, b, &out, broadcast, t, t, t) { $0 > $1 ? $0 : $1 }
        case .minimum: mapBinary(a, b, &out, broadcast, t, t, t) { $0 < $1 ? $0 : $1 }
        case .floorMod: mapBinary(a, b, &out, broadcast, t, t, t) { $0 - ($0 / $1).rounded(.down) * $1 }
        case .mod: mapBinary(a, b, &out, broadcast, t, t, t) { T.mFmod($0, $1) }
        case .squaredDifference: mapBinary(a, b, &out, broadcast, t, t, t) { ($0 - $1) * ($0 - $1) }
        }
    }

    /// 8- and 16-bit integers: exact results in Int64, saturated into `T`.
    private func smallIntRun<T: KernelInt>(_ a: Tensor, _ b: Tensor, _ out: inout Tensor, _ t: T.Type) {
        let python = pythonDivision
        func go(_ f: @escaping (Int64, Int64) -> Int64) {
            mapBinary(a, b, &out, broadcast, t, t, t) { T.saturating(f(Int64($0), Int64($1))) }
        }
        switch op {
        case .add: go { $0 + $1 }
        case .subtract: go { $0 - $1 }
        case .multiply: go { $0 * $1 }
        case .divide:
            go { x, y in y == 0 ? (x > 0 ? Int64.max : (x < 0 ? Int64.min : 0)) : integerDivide(x, y, floor: python) }
        case .power: go { x, y in saturatingInt64(Double.mPow(Double(x), Double(y)).rounded(.toNearestOrEven)) }
        case .maximum: go { Swift.max($0, $1) }
        case .minimum: go { Swift.min($0, $1) }
        case .floorMod: go { integerFloorMod($0, $1) }
        case .mod: go { $1 == 0 ? 0 : $0 % $1 }
        case .squaredDifference: go { ($0 - $1) * ($0 - $1) }
        }
    }

    /// 32- and 64-bit integers: wrapping arithmetic in `T`.
    private func wideIntRun<T: KernelInt>(_ a: Tensor, _ b: Tensor, _ out: inout Tensor, _ t: T.Type) {
        switch op {
        case .add: mapBinary(a, b, &out, broadcast, t, t, t) { $0 &+ $1 }
        case .subtract: mapBinary(a, b, &out, broadcast, t, t, t) { $0 &- $1 }
        case .multiply: mapBinary(a, b, &out, broadcast, t, t, t) { $0 &* $1 }
        case .divide:
            let python = pythonDivision
            mapBinary(a, b, &out, broadcast, t, t, t) { integerDivide($0, $1, floor: python) }
        case .power: mapBinary(a, b, &out, broadcast, t, t, t) { integerPower($0, $1) }
        case .maximum: mapBinary(a, b, &out, broadcast, t, t, t) { Swift.max($0, $1) }
        case .minimum: mapBinary(a, b, &out, broadcast, t, t, t) { Swift.min($0, $1) }
        case .floorMod: mapBinary(a, b, &out, broadcast, t, t, t) { integerFloorMod($0, $1) }
        case .mod: mapBinary(a, b, &out, broadcast, t, t, t) { x, y in (y == 0 || (T.isSigned && y == T.zero &- 1)) ? 0 : x % y }
        case .squaredDifference: mapBinary(a, b, &out, broadcast, t, t, t) { ($0 &- $1) &* ($0 &- $1) }
        }
    }
}

/// Integer division rounding toward negative infinity (`floor`) or toward zero; 0 for a zero divisor.
@inline(__always)
func integerDivide<T: FixedWidthInteger>(_ x: T, _ y: T, floor: Bool) -> T {
    if y == 0 { return 0 }
    if T.isSigned && y == T.zero &- 1 { return T.zero &- x }   // min / -1 would trap
    let q = x / y
    if floor && T.isSigned && x % y != 0 && ((x < 0) != (y < 0)) { return q &- 1 }
    return q
}

/// Modulo with the sign of the divisor (Python's `%`); 0 for a zero divisor.
@inline(__always)
func integerFloorMod<T: FixedWidthInteger>(_ x: T, _ y: T) -> T {
    if y == 0 || (T.isSigned && y == T.zero &- 1) { return 0 }
    let r = x % y
    return (r != 0 && T.isSigned && ((r < 0) != (y < 0))) ? r &+ y : r
}

/// `x` to the power `y` by repeated squaring, wrapping; negative exponents give the truncated value.
@inline(__always)
func integerPower<T: FixedWidthInteger>(_ x: T, _ y: T) -> T {
    if y < 0 {
        if x == 1 { return 1 }
        if T.isSigned && x == T.zero &- 1 { return (y & 1) == 0 ? 1 : x }
        return 0
    }
    var result: T = 1, base = x, e = y
    while e > 0 {
        if e & 1 == 1 { result = result &* base }
        base = base &* base
        e >>= 1
    }
    return result
}

/// A Double clamped into Int64 (NaN → 0).
@inline(__always)
func saturatingInt64(_ v: Double) -> Int64 {
    if v.isNaN { return 0 }
    if v >= 9.2233720368547758e18 { return Int64.max }
    if v <= -9.2233720368547758e18 { return Int64.min }
    return Int64(v)
}
