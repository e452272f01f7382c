/// exp and erf for f32 written as branch-free scalar code that the loop vectoriser turns into SIMD
/// (no libm calls, no checked conversions): exp to a few ulp, erf to ~2e-7 absolute, so activations
/// built on them stay well inside the conformance tolerance (rtol 1e-4, atol 1e-5).
/// exp: Cody–Waite range reduction `x = n·ln2 + r` and a degree-6 polynomial for `e^r` (the classic
/// Cephes coefficients); `n` is rounded with the 1.5·2²³ trick so its integer bits are read from the
/// float, and `2^n` is applied as two normal factors (so n = 128 and subnormal results both work).
/// erf: Abramowitz & Stegun 7.1.26 (`1 − t·P(t)·e^{−x²}`, `t = 1/(1 + p·|x|)`, |error| ≤ 1.5e-7).
enum VMath {
    @inline(__always)
    static func exp(_ x0: Float) -> Float {
        let x = Swift.min(Swift.max(x0, -103.9), 88.72)
        let shifted = x * 1.44269504088896341 + 12_582_912   // 1.5·2²³: rounds to nearest even
        let n = shifted - 12_582_912
        let ni = Int32(bitPattern: shifted.bitPattern &- 0x4B40_0000)
        var r = x - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * (r * r) + r + 1
        let half = ni &>> 1
        let s1 = Float(bitPattern: UInt32(bitPattern: (half &+ 127) &<< 23))
        let s2 = Float(bitPattern: UInt32(bitPattern: (ni &- half &+ 127) &<< 23))
        var out = y * s1 * s2
        out = x0 < -103.9 ? 0 : out
        out = x0 > 88.72 ? .infinity : out
        return x0 != x0 ? x0 : out   // NaN stays NaN
    }

    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let a = x.magnitude
        let t = 1 / (a * 0.3275911 + 1)
        var p: Float = 1.061405429
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let y = 1 - p * t * exp(-(a * a))
        let signed = Float(signOf: x, magnitudeOf: y)
        return x != x ? x : signed
    }
}

/// A unary f32 function, as a type so loops specialise and vectorise.
protocol FloatUnary {
    static func apply(_ x: Float) -> Float
}

enum SigmoidF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { 1 / (1 + VMath.exp(-x)) }
}

enum GeluErfF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { 0.5 * x * (1 + VMath.erf(x * 0.70710678118654752440)) }
}

enum GeluTanhF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float {
        let z = 0.79788456080286535588 * (x + 0.044715 * x * x * x)
        let th = 1 - 2 / (VMath.exp(2 * z) + 1)   // tanh(z)
        return 0.5 * x * (1 + th)
    }
}

extension VMath {
    /// `y[i] = F(x[i])` for `n` elements.
    @inline(__always)
    static func map<F: FloatUnary>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _: F.Type) {
        for i in 0..<n { y[i] = F.apply(x[i]) }
    }
}
