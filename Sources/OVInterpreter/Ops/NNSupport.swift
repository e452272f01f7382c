/// Shared helpers of the neural-network op families (convolution, pooling, reductions, softmax,
/// normalization, interpolation): f32 views of floating-point tensors, axis normalisation and
/// spatial padding arithmetic.
///
/// OpenVINO's CPU plugin computes f16 and f64 models in f32, so these kernels do too: inputs of
/// another float type are read as f32 and outputs are converted back when stored.

// MARK: - f32 views

/// Calls `body` with the elements of `t` as f32 (the tensor's own memory when it is f32).
func withF32<R>(_ t: Tensor, _ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
    if t.elementType == .f32 { return try body(UnsafePointer(t.pointer(Float.self))) }
    var values = t.floatValues()
    if values.isEmpty { values = [0] }   // a valid pointer even for empty tensors
    return try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
}

/// Calls `body` with f32 storage for `out`, then stores it into `out` (directly when `out` is f32).
func writeF32(_ out: inout Tensor, _ body: (UnsafeMutablePointer<Float>) throws -> Void) rethrows {
    if out.elementType == .f32 { try body(out.pointer(Float.self)); return }
    var tmp = [Float](repeating: 0, count: Swift.max(out.count, 1))
    try tmp.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    storeFloats(tmp, into: &out)
}

/// Stores f32 values into a tensor of any element type (integers round to nearest, as the values
/// stored by integer kernels here are exact).
func storeFloats(_ values: [Float], into out: inout Tensor) {
    let n = out.count
    switch out.elementType {
    case .f32:
        let p = out.pointer(Float.self)
        for i in 0..<n { p[i] = values[i] }
    case .f16:
        let p = out.pointer(Float16.self)
        for i in 0..<n { p[i] = Float16(values[i]) }
    case .f64:
        let p = out.pointer(Double.self)
        for i in 0..<n { p[i] = Double(values[i]) }
    case .bf16:
        let p = out.pointer(UInt16.self)
        for i in 0..<n { p[i] = BFloat16(values[i]).bitPattern }
    default:
        for i in 0..<n { out.setDouble(Double(values[i]).rounded(), at: i) }
    }
}

/// Throws unless `type` is a floating-point type (the kernels here compute in f32).
func requireFloat(_ type: ElementType, _ op: String) throws {
    guard type.isFloatingPoint else {
        throw OVIRError("\(op) expects a floating-point input, found \(type.rawValue)")
    }
}

// MARK: - Axes

/// Normalises axes against `rank` (negative axes count from the end); throws when out of range.
func normalizeAxes(_ axes: [Int], rank: Int, _ op: String) throws -> [Int] {
    try axes.map { a in
        let n = a < 0 ? a + rank : a
        guard n >= 0 && n < Swift.max(rank, 1) else {
            throw OVIRError("\(op): axis \(a) is out of range for rank \(rank)")
        }
        return n
    }
}

/// The integer values of a 0-D or 1-D constant tensor (axes, sizes, output_shape).
func intValues(_ t: Tensor) -> [Int] { t.int64Values().map { Int($0) } }

// MARK: - Spatial padding

/// How a convolution or pooling layer pads its spatial dims (`auto_pad`).
enum AutoPad: Equatable {
    case explicit, valid, sameUpper, sameLower

    init(_ attributes: Attributes) throws {
        switch try attributes.choice("auto_pad", ["explicit", "notset", "valid", "same_upper", "same_lower"], default: "explicit") {
        case "valid": self = .valid
        case "same_upper": self = .sameUpper
        case "same_lower": self = .sameLower
        default: self = .explicit
        }
    }

    var isSame: Bool { self == .sameUpper || self == .sameLower }
}

/// Spatial window attributes shared by convolutions and pooling.
struct SpatialWindow {
    var strides: [Int]
    var dilations: [Int]
    var padsBegin: [Int]
    var padsEnd: [Int]
    var autoPad: AutoPad

    /// Parses strides, dilations (default 1s), pads_begin/pads_end (default 0s) and auto_pad for
    /// `spatial` dims (nil: take the count from `strides`).
    init(_ a: Attributes, spatial: Int? = nil, hasDilations: Bool = true) throws {
        strides = try a.ints("strides")
        let n = spatial ?? strides.count
        dilations = hasDilations ? try a.ints("dilations", default: Array(repeating: 1, count: n)) : Array(repeating: 1, count: n)
        padsBegin = try a.ints("pads_begin", default: Array(repeating: 0, count: n))
        padsEnd = try a.ints("pads_end", default: Array(repeating: 0, count: n))
        autoPad = try AutoPad(a)
        for (name, v) in [("strides", strides), ("dilations", dilations)] where v.count != n || v.contains(where: { $0 < 1 }) {
            throw OVIRError("attribute '\(name)': expected \(n) positive values, found \(v)")
        }
        if autoPad == .explicit || autoPad == .valid {
            // pads may be empty when auto_pad makes them irrelevant
            if padsBegin.isEmpty { padsBegin = Array(repeating: 0, count: n) }
            if padsEnd.isEmpty { padsEnd = Array(repeating: 0, count: n) }
        }
        if autoPad == .explicit && (padsBegin.count != n || padsEnd.count != n) {
            throw OVIRError("pads_begin \(padsBegin) and pads_end \(padsEnd) must have \(n) values")
        }
    }

    var rank: Int { strides.count }

    /// The pads for input spatial dims `input` and (undilated) kernel `kernel`, as OpenVINO computes
    /// them: explicit as given, valid = 0, same_* = enough total padding for `ceil(in / stride)`
    /// outputs, the odd element at the end (same_upper) or at the beginning (same_lower).
    func pads(input: [Int], kernel: [Int]) -> (begin: [Int], end: [Int]) {
        switch autoPad {
        case .explicit: return (padsBegin, padsEnd)
        case .valid: return (Array(repeating: 0, count: rank), Array(repeating: 0, count: rank))
        case .sameUpper, .sameLower:
            var b = [Int](), e = [Int]()
            for d in 0..<rank {
                let out = (input[d] + strides[d] - 1) / strides[d]
                let span = (kernel[d] - 1) * dilations[d] + 1
                let total = Swift.max(0, (out - 1) * strides[d] + span - input[d])
                let small = total / 2
                b.append(autoPad == .sameUpper ? small : total - small)
                e.append(autoPad == .sameUpper ? total - small : small)
            }
            return (b, e)
        }
    }

    /// Output spatial dims for a sliding window (floor or ceil division).
    func outputDims(input: [Int], kernel: [Int], ceil: Bool = false) -> [Int] {
        let (b, e) = pads(input: input, kernel: kernel)
        return (0..<rank).map { d in
            let span = (kernel[d] - 1) * dilations[d] + 1
            let room = input[d] + b[d] + e[d] - span
            if room < 0 { return 0 }
            return (ceil ? (room + strides[d] - 1) / strides[d] : room / strides[d]) + 1
        }
    }
}

/// Row-major index helpers for spatial loops of 1–3 dims, expressed as 3 dims (missing leading dims are 1).
func padTo3(_ v: [Int], fill: Int) -> [Int] { Array(repeating: fill, count: 3 - v.count) + v }
