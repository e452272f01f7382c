/// Vectorised exp and erf for f32 (8 lanes), accurate to a few ulp (exp) and ~2e-7 absolute (erf),
/// so activations built on them stay well inside the conformance tolerance (rtol 1e-4, atol 1e-5).
/// exp: Cody–Waite range reduction `x = n·ln2 + r` and a degree-6 polynomial for `e^r` (the
/// classic Cephes coefficients), scaled by `2^n` through the exponent bits. erf: Abramowitz &
/// Stegun 7.1.26 (`1 − t·P(t)·e^{−x²}`, `t = 1/(1 + p·|x|)`, |error| ≤ 1.5e-7).
typealias F8 = SIMD8<Float>

enum VMath {
    @inline(__always)
    static func exp(_ x0: F8) -> F8 {
        let x = x0.clamped(lowerBound: F8(repeating: -103.9), upperBound: F8(repeating: 88.72))
        let n = (x * 1.44269504088896341).rounded(.toNearestOrEven)
        var r = x - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = F8(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * (r * r) + r + 1
        // 2^n as two normal factors, so n = 128 (x near 88.7) and subnormal results both work.
        let ni = SIMD8<Int32>(n, rounding: .toNearestOrEven)
        let half = ni &>> 1
        let s1 = unsafeBitCast((half &+ 127) &<< 23, to: F8.self)
        let s2 = unsafeBitCast((ni &- half &+ 127) &<< 23, to: F8.self)
        var out = y * s1 * s2
        out.replace(with: 0, where: x0 .< -103.9)
        out.replace(with: .infinity, where: x0 .> 88.72)
        out.replace(with: x0, where: x0 .!= x0)   // NaN stays NaN
        return out
    }

    @inline(__always)
    static func erf(_ x: F8) -> F8 {
        let a = abs(x)
        let t = 1 / (a * 0.3275911 + 1)
        var p = F8(repeating: 1.061405429)
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let y = 1 - p * t * exp(-(a * a))
        var out = y
        out.replace(with: -y, where: x .< 0)
        out.replace(with: x, where: x .!= x)
        return out
    }

    @inline(__always)
    static func abs(_ x: F8) -> F8 {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: F8.self)
    }

    /// Applies `vector` to 8 elements at a time and `scalar` to the tail (< 8 elements are loaded into
    /// a padded vector so both paths share the vector formula).
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ vector: (F8) -> F8) {
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: F8.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: vector(v), as: F8.self)
            i += 8
        }
        if i < n {
            var v = F8(repeating: 0)
            for k in 0..<(n - i) { v[k] = x[i + k] }
            let r = vector(v)
            for k in 0..<(n - i) { y[i + k] = r[k] }
        }
    }
}
