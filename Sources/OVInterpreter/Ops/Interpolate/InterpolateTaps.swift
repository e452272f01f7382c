/// Interpolate's attributes and, for one axis, the input taps and weights of every output
/// coordinate (every Interpolate mode is separable).
struct InterpolateAttributes {
    enum Mode: String { case nearest, linear, linearOnnx = "linear_onnx", cubic, bilinearPillow = "bilinear_pillow", bicubicPillow = "bicubic_pillow" }
    enum Coordinates: String {
        case halfPixel = "half_pixel", pytorchHalfPixel = "pytorch_half_pixel", asymmetric
        case tfHalfPixelForNN = "tf_half_pixel_for_nn", alignCorners = "align_corners"
    }
    enum Nearest: String { case roundPreferFloor = "round_prefer_floor", roundPreferCeil = "round_prefer_ceil", floor, ceil, simple }

    var mode: Mode
    var coordinates: Coordinates
    var nearest: Nearest
    var antialias: Bool
    var cubeCoeff: Float
    var useSizes: Bool
    var padsBeginRaw: [Int]
    var padsEndRaw: [Int]

    /// Interpolate-4 and -11 attributes.
    init(_ a: Attributes, version: Int) throws {
        var modes = ["nearest", "linear", "linear_onnx", "cubic"]
        if version >= 11 { modes += ["bilinear_pillow", "bicubic_pillow"] }
        mode = Mode(rawValue: try a.choice("mode", modes))!
        useSizes = try a.choice("shape_calculation_mode", ["sizes", "scales"]) == "sizes"
        coordinates = Coordinates(rawValue: try a.choice("coordinate_transformation_mode",
            ["half_pixel", "pytorch_half_pixel", "asymmetric", "tf_half_pixel_for_nn", "align_corners"], default: "half_pixel"))!
        nearest = Nearest(rawValue: try a.choice("nearest_mode",
            ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil", "simple"], default: "round_prefer_floor"))!
        antialias = try a.bool("antialias", default: false)
        cubeCoeff = try a.float("cube_coeff", default: -0.75)
        padsBeginRaw = try a.ints("pads_begin", default: [])
        padsEndRaw = try a.ints("pads_end", default: [])
    }

    /// Interpolate-1 attributes, read as Interpolate-4 in sizes mode.
    init(v1 a: Attributes) throws {
        let m = try a.choice("mode", ["nearest", "linear", "cubic", "area"])
        guard m != "area" else { throw OVIRError("Interpolate-1: mode 'area' is not supported") }
        let alignCorners = try a.bool("align_corners", default: false)
        mode = m == "nearest" ? .nearest : m == "linear" ? .linearOnnx : .cubic
        useSizes = true
        coordinates = alignCorners ? .alignCorners : (m == "nearest" ? .asymmetric : .halfPixel)
        nearest = .simple
        antialias = try a.bool("antialias", default: false)
        cubeCoeff = -0.75
        padsBeginRaw = try a.ints("pads_begin", default: [])
        padsEndRaw = try a.ints("pads_end", default: [])
    }

    func padsBegin(_ rank: Int) -> [Int] { padsBeginRaw.count >= rank ? Array(padsBeginRaw.prefix(rank)) : padsBeginRaw + Array(repeating: 0, count: rank - padsBeginRaw.count) }
    func padsEnd(_ rank: Int) -> [Int] { padsEndRaw.count >= rank ? Array(padsEndRaw.prefix(rank)) : padsEndRaw + Array(repeating: 0, count: rank - padsEndRaw.count) }

    /// The input coordinate that output coordinate `x` maps to.
    func inputCoordinate(_ x: Int, scale: Float, inSize: Int, outSize: Int) -> Float {
        let xf = Float(x)
        switch coordinates {
        case .halfPixel: return (xf + 0.5) / scale - 0.5
        case .pytorchHalfPixel: return outSize > 1 ? (xf + 0.5) / scale - 0.5 : 0
        case .asymmetric: return xf / scale
        case .tfHalfPixelForNN: return (xf + 0.5) / scale
        case .alignCorners: return outSize == 1 ? 0 : xf * Float(inSize - 1) / Float(outSize - 1)
        }
    }

    /// The input index nearest to coordinate `c` under `nearest_mode`.
    func nearestIndex(_ c: Float, downsample: Bool) -> Int {
        switch nearest {
        case .roundPreferFloor: return Int(c - c.rounded(.down) == 0.5 ? c.rounded(.down) : c.rounded())
        case .roundPreferCeil: return Int(c - c.rounded(.down) == 0.5 ? c.rounded(.up) : c.rounded())
        case .floor: return Int(c.rounded(.down))
        case .ceil: return Int(c.rounded(.up))
        case .simple: return downsample ? Int(c.rounded(.up)) : Int(c)
        }
    }

    /// Keys cubic convolution weights of the 4 taps at offsets -1, 0, 1, 2 from `floor(c)`, for
    /// the fractional part `t`.
    func cubicWeights(_ t: Float) -> [Float] {
        let a = cubeCoeff
        func near(_ s: Float) -> Float { ((a + 2) * s - (a + 3)) * s * s + 1 }
        func far(_ s: Float) -> Float { ((a * s - 5 * a) * s + 8 * a) * s - 4 * a }
        return [far(t + 1), near(t), near(1 - t), far(2 - t)]
    }

    /// For each output coordinate of one axis, its input taps `(index, weight)`.
    func taps(inSize: Int, outSize: Int, scale: Float) -> [[(Int, Float)]] {
        func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i, 0), inSize - 1) }
        return (0..<outSize).map { j -> [(Int, Float)] in
            if inSize == 0 { return [] }
            let c = inputCoordinate(j, scale: scale, inSize: inSize, outSize: outSize)
            switch mode {
            case .nearest:
                return [(clamp(nearestIndex(c, downsample: scale < 1)), 1)]
            case .linearOnnx:
                let cc = Swift.min(Swift.max(c, 0), Float(inSize - 1))
                let i0 = Int(cc), i1 = Swift.min(i0 + 1, inSize - 1)
                if i0 == i1 { return [(i0, 1)] }
                let w1 = cc - Float(i0)
                return [(i0, 1 - w1), (i1, w1)]
            case .cubic:
                let f = c.rounded(.down)
                let w = cubicWeights(c - f)
                return (0..<4).map { k in (clamp(Int(f) + k - 1), w[k]) }
            case .linear:
                return linearTaps(c, scale: scale, inSize: inSize)
            case .bilinearPillow, .bicubicPillow:
                return pillowTaps(j, scale: scale, inSize: inSize)
            }
        }
    }

    /// Triangle-filter taps around `c`; with `antialias` and downsampling the filter widens by `1/scale`.
    private func linearTaps(_ c: Float, scale: Float, inSize: Int) -> [(Int, Float)] {
        let a: Float = antialias && scale < 1 ? scale : 1
        let r = scale > 1 ? 2 : Int((2 / a).rounded(.up))
        let center = Int(c.rounded(.toNearestOrEven))
        var taps: [(Int, Float)] = []
        var sum: Float = 0
        for i in (center - r)...(center + r) where i >= 0 && i < inSize {
            let w = Swift.max(0, 1 - Swift.abs(a * (c - Float(i))))
            if w > 0 { taps.append((i, w)); sum += w }
        }
        return sum == 0 ? [] : taps.map { ($0.0, $0.1 / sum) }
    }

    /// Pillow's resampling taps (bilinear: triangle, support 1; bicubic: a = -0.5, support 2),
    /// widened by the downscale factor.
    private func pillowTaps(_ j: Int, scale: Float, inSize: Int) -> [(Int, Float)] {
        let bicubic = mode == .bicubicPillow
        let inPerOut = 1 / Double(scale)
        let filterScale = Swift.max(inPerOut, 1)
        let support = (bicubic ? 2.0 : 1.0) * filterScale
        let center = (Double(j) + 0.5) * inPerOut
        func filter(_ x: Double) -> Double {
            let x = Swift.abs(x)
            if !bicubic { return x < 1 ? 1 - x : 0 }
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
        let lo = Swift.max(Int(center - support + 0.5), 0), hi = Swift.min(Int(center + support + 0.5), inSize)
        guard lo < hi else { return [] }
        let ws = (lo..<hi).map { filter((Double($0) - center + 0.5) / filterScale) }
        let sum = ws.reduce(0, +)
        return (lo..<hi).map { ($0, Float(sum == 0 ? 0 : ws[$0 - lo] / sum)) }
    }
}
