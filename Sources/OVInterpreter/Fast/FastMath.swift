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

extension VMath {
    /// tanh: an odd polynomial `x + x³·P(x²)` below |x| = 0.625 (no cancellation near 0), else
    /// `1 − 2/(e^{2|x|} + 1)` with the sign restored; saturates to ±1 (and keeps NaN).
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let a = x.magnitude
        let z = x * x
        var p: Float = -5.70498872745e-3
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * x + x
        let big = Float(signOf: x, magnitudeOf: 1 - 2 / (exp(2 * Swift.min(a, 44)) + 1))
        let y = a < 0.625 ? small : big
        return x != x ? x : y
    }

    /// Natural log: `x = m·2^e` with m in [√½, √2), `log(m)` by the degree-9 polynomial in `m − 1`
    /// (the classic Cephes coefficients), plus `e·ln 2` in two parts. Subnormals are scaled by 2²³
    /// first; log(0) = −inf, log(x < 0) = NaN, log(inf) = inf.
    @inline(__always)
    static func log(_ x0: Float) -> Float {
        let sub = x0 < Float.leastNormalMagnitude
        let x1 = sub ? x0 * 8_388_608 : x0
        let bits = x1.bitPattern
        var e = Int32(bitPattern: (bits >> 23) & 0xFF) &- 126
        var m = Float(bitPattern: (bits & 0x807F_FFFF) | 0x3F00_0000)   // in [0.5, 1)
        let lowHalf = m < 0.707106781186547524
        e = lowHalf ? e &- 1 : e
        m = lowHalf ? m + m - 1 : m - 1
        var ef = Float(e)
        ef = sub ? ef - 23 : ef
        let z = m * m
        var p: Float = 7.0376836292e-2
        p = p * m - 1.1514610310e-1
        p = p * m + 1.1676998740e-1
        p = p * m - 1.2420140846e-1
        p = p * m + 1.4249322787e-1
        p = p * m - 1.6668057665e-1
        p = p * m + 2.0000714765e-1
        p = p * m - 2.4999993993e-1
        p = p * m + 3.3333331174e-1
        var y = m * z * p
        y = y + ef * -2.12194440e-4
        y = y - 0.5 * z
        var out = m + y + ef * 0.693359375
        out = x0 == .infinity ? .infinity : out
        out = x0 == 0 ? -.infinity : out
        out = x0 < 0 ? .nan : out
        return x0 != x0 ? x0 : out
    }

    /// SoftPlus-4: `log(1 + e^x)`, `x` itself above 20 (the reference's guard) and `e^x` below −15
    /// (where `1 + e^x` rounds to 1 in f32 but the value is still representable).
    @inline(__always)
    static func softPlus(_ x: Float) -> Float {
        let e = exp(x)
        let y = log(1 + e)
        let r = x > 20 ? x : (x < -15 ? e : y)
        return x != x ? x : r
    }
}

enum SwishF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { x / (1 + VMath.exp(-x)) }
}

enum HSwishF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { x * Swift.min(Swift.max(x + 3, 0), 6) / 6 }
}

enum HSigmoidF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { Swift.min(Swift.max(x + 3, 0), 6) / 6 }
}

enum SoftPlusF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { VMath.softPlus(x) }
}

enum MishF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { x * VMath.tanh(VMath.softPlus(x)) }
}

enum SoftSignF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { x / (1 + Swift.abs(x)) }
}

enum TanhF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { VMath.tanh(x) }
}

enum ExpF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { VMath.exp(x) }
}

enum LogF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { VMath.log(x) }
}

enum ErfF: FloatUnary {
    @inline(__always) static func apply(_ x: Float) -> Float { VMath.erf(x) }
}
