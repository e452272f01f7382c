#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// DFT-7, IDFT-7, RDFT-9 and IRDFT-9: discrete Fourier transforms over the axes in input 1, each
/// axis first trimmed or zero-padded to `signal_size` (input 2; -1 keeps the size). Complex tensors
/// carry a trailing dim of 2 (real, imaginary). The forward transform is unnormalised
/// (`X[k] = Σ x[n]·e^(-2πikn/N)`); the inverse divides by N per axis. RDFT keeps the first N/2+1
/// bins of the last listed axis; IRDFT rebuilds the Hermitian-symmetric spectrum there and returns
/// the real part (output size `signal_size`, else 2·(n-1)). Computed in double precision.
final class DFTKernel: Kernel {
    enum Kind { case forward, inverse, realForward, realInverse }
    let kind: Kind
    init(kind: Kind) { self.kind = kind }

    private var complexInput: Bool { kind != .realForward }
    private var name: String {
        switch kind {
        case .forward: return "DFT"
        case .inverse: return "IDFT"
        case .realForward: return "RDFT"
        case .realInverse: return "IRDFT"
        }
    }

    /// Normalised axes and per-axis signal sizes (-1 = keep), from the axes/signal_size values.
    private func plan(dataRank r: Int, axes: Tensor, signal: Tensor?) throws -> (axes: [Int], sizes: [Int]) {
        let signalRank = complexInput ? r - 1 : r
        guard signalRank >= 1 else { throw OVIRError("\(name) data of rank \(r) is too small") }
        let a = axes.int64Values().map { Int($0) < 0 ? Int($0) + signalRank : Int($0) }
        guard !a.isEmpty, a.allSatisfy({ $0 >= 0 && $0 < signalRank }), Set(a).count == a.count else {
            throw OVIRError("\(name) axes \(axes.int64Values()) must be distinct and within [\(-signalRank), \(signalRank - 1)]")
        }
        var sizes = [Int](repeating: -1, count: a.count)
        if let signal {
            let s = signal.int64Values().map { Int($0) }
            guard s.count == a.count else { throw OVIRError("\(name) signal_size has \(s.count) values for \(a.count) axes") }
            sizes = s
        }
        return (a, sizes)
    }

    /// Output shape for a static data shape.
    private func outputShape(_ d: [Int], axes: [Int], sizes: [Int]) throws -> [Int] {
        var s = complexInput ? Array(d.dropLast()) : d
        if complexInput, d.last != 2 { throw OVIRError("\(name) data must end with a dim of 2 (real, imaginary), found \(d)") }
        for (a, n) in zip(axes, sizes) where n != -1 { s[a] = n }
        let last = axes[axes.count - 1]
        switch kind {
        case .forward, .inverse: return s + [2]
        case .realForward:
            s[last] = s[last] / 2 + 1
            return s + [2]
        case .realInverse:
            s[last] = sizes[sizes.count - 1] != -1 ? sizes[sizes.count - 1] : 2 * (d[last] - 1)
            return s
        }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 || inputs.count == 3 else { throw OVIRError("\(name) expects 2 or 3 inputs, found \(inputs.count)") }
        let type = inputs[0].elementType
        guard type.isFloatingPoint else { throw OVIRError("\(name) data: expected a floating-point type, found \(type.rawValue)") }
        guard let d = inputs[0].shape.staticShape, let axes = inputs[1].value,
              inputs.count == 2 || inputs[2].value != nil else {
            let r = inputs[0].shape.rank.map { complexInput && kind == .realInverse ? $0 - 1 : ($0 + (complexInput ? 0 : 1)) }
            return [ValueInfo(type, r.map { PartialShape([OVIR.Dimension](repeating: .dynamic, count: $0)) } ?? .dynamicRank)]
        }
        let p = try plan(dataRank: d.count, axes: axes, signal: inputs.count == 3 ? inputs[2].value : nil)
        return [ValueInfo(type, try outputShape(d, axes: p.axes, sizes: p.sizes))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let d = inputs[0].shape
        let p = try plan(dataRank: d.count, axes: inputs[1], signal: inputs.count == 3 ? inputs[2] : nil)
        let values = inputs[0].doubleValues()
        var inShape = complexInput ? Array(d.dropLast()) : d
        var re: [Double], im: [Double]
        if complexInput {
            re = stride(from: 0, to: values.count, by: 2).map { values[$0] }
            im = stride(from: 1, to: values.count, by: 2).map { values[$0] }
        } else {
            re = values
            im = [Double](repeating: 0, count: values.count)
        }
        // Trim or zero-pad every transformed axis to its signal size (IRDFT: its last axis to N/2+1).
        let out = try outputShape(d, axes: p.axes, sizes: p.sizes)
        var work = inShape
        for (a, n) in zip(p.axes, p.sizes) where n != -1 { work[a] = n }
        let last = p.axes[p.axes.count - 1]
        if kind == .realInverse { work[last] = out[last] / 2 + 1 }
        (re, im) = (DFTMath.resize(re, from: inShape, to: work), DFTMath.resize(im, from: inShape, to: work))
        inShape = work
        let inverse = kind == .inverse || kind == .realInverse
        for a in p.axes where !(kind == .realInverse && a == last) {
            DFTMath.transform(&re, &im, shape: inShape, axis: a, inverse: inverse)
        }
        var result: [Double]
        switch kind {
        case .forward, .inverse:
            result = DFTMath.interleave(re, im)
        case .realForward:
            var kept = inShape
            kept[last] = out[last]
            result = DFTMath.interleave(DFTMath.resize(re, from: inShape, to: kept), DFTMath.resize(im, from: inShape, to: kept))
        case .realInverse:
            result = DFTMath.hermitianInverse(re, im, shape: inShape, axis: last, outputSize: out[last])
        }
        if outputs[0].elementType == .f32 {
            let o = outputs[0].pointer(Float.self)
            for i in 0..<result.count { o[i] = Float(result[i]) }
        } else {
            for i in 0..<result.count { outputs[0].setDouble(result[i], at: i) }
        }
    }
}

/// Line-by-line transforms on split real/imaginary arrays.
enum DFTMath {
    static func interleave(_ re: [Double], _ im: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: re.count * 2)
        for i in 0..<re.count { out[2 * i] = re[i]; out[2 * i + 1] = im[i] }
        return out
    }

    /// Copies the overlap of a C-ordered array of shape `from` into a zero array of shape `to`.
    static func resize(_ x: [Double], from: [Int], to: [Int]) -> [Double] {
        if from == to { return x }
        let count = to.reduce(1, *)
        var out = [Double](repeating: 0, count: count)
        let fs = contiguousStrides(from)
        var idx = [Int](repeating: 0, count: to.count)
        for o in 0..<count {
            var src = 0, inside = true
            for k in 0..<to.count { if idx[k] >= from[k] { inside = false; break }; src += idx[k] * fs[k] }
            if inside { out[o] = x[src] }
            var k = to.count - 1
            while k >= 0 { idx[k] += 1; if idx[k] < to[k] { break }; idx[k] = 0; k -= 1 }
        }
        return out
    }

    /// `(outer, n, inner)` around `axis`.
    static func lines(_ shape: [Int], _ axis: Int) -> (Int, Int, Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// In-place DFT along `axis` (inverse: conjugate twiddles and 1/N).
    static func transform(_ re: inout [Double], _ im: inout [Double], shape: [Int], axis: Int, inverse: Bool) {
        let (outer, n, inner) = lines(shape, axis)
        guard n > 0 else { return }
        let sign = inverse ? 1.0 : -1.0, scale = inverse ? 1.0 / Double(n) : 1.0
        let table = Twiddles(n)
        var lr = [Double](repeating: 0, count: n), li = lr
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                for t in 0..<n { lr[t] = re[base + t * inner]; li[t] = im[base + t * inner] }
                for k in 0..<n {
                    var sr = 0.0, si = 0.0
                    for t in 0..<n {
                        let (c, s0) = table[k, t]
                        let s = sign * s0
                        sr += lr[t] * c - li[t] * s
                        si += lr[t] * s + li[t] * c
                    }
                    re[base + k * inner] = sr * scale
                    im[base + k * inner] = si * scale
                }
            }
        }
    }

    /// IRDFT along `axis`: the half spectrum (N/2+1 bins) extended by conjugate symmetry, inverse
    /// transformed, real part kept. Returns the real array with `axis` resized to `outputSize`.
    static func hermitianInverse(_ re: [Double], _ im: [Double], shape: [Int], axis: Int, outputSize n: Int) -> [Double] {
        let (outer, m, inner) = lines(shape, axis)
        var out = [Double](repeating: 0, count: outer * n * inner)
        guard n > 0 else { return out }
        let table = Twiddles(n)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * m * inner + i
                func bin(_ k: Int) -> (Double, Double) {
                    if k < m { return (re[base + k * inner], im[base + k * inner]) }
                    return (0, 0)
                }
                var full = [(Double, Double)](repeating: (0, 0), count: n)
                for k in 0..<n {
                    if k <= n / 2 { full[k] = bin(k) } else { let (r, c) = bin(n - k); full[k] = (r, -c) }
                }
                for t in 0..<n {
                    var s = 0.0
                    for k in 0..<n {
                        let (c, sn) = table[k, t]
                        s += full[k].0 * c - full[k].1 * sn
                    }
                    out[o * n * inner + t * inner + i] = s / Double(n)
                }
            }
        }
        return out
    }
}

/// cos and sin of `2π·k·t/N`, with the angle formed in single precision as OpenVINO's CPU plugin
/// does (so that, e.g., the Nyquist bin's imaginary part carries the same rounding). Tabulated for
/// N ≤ 1024, computed on the fly above.
struct Twiddles {
    let n: Int
    private let cosT: [Double], sinT: [Double]

    init(_ n: Int) {
        self.n = n
        let size = n <= 1024 ? n * n : 0
        var c = [Double](repeating: 0, count: size), s = c
        for i in 0..<size {
            let (cv, sv) = Twiddles.angle(i / n * (i % n), n)
            c[i] = cv
            s[i] = sv
        }
        cosT = c
        sinT = s
    }

    static func angle(_ kt: Int, _ n: Int) -> (Double, Double) {
        let a = Float(2) * Float(Double.pi) * Float(kt) / Float(n)
        return (Double(LibM.cos(a)), Double(LibM.sin(a)))
    }

    subscript(k: Int, t: Int) -> (Double, Double) {
        n <= 1024 ? (cosT[k * n + t], sinT[k * n + t]) : Twiddles.angle(k * t, n)
    }
}
