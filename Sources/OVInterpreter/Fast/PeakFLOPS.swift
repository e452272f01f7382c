#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch

/// The single-core floating-point peak of this machine as SwiftPOT's kernels can reach it: a loop
/// of independent SIMD fused multiply-adds on registers only (no memory traffic), compiled with the
/// same code generation as the kernels. GEMM-bound kernels are reported as a fraction of this figure
/// (Benchmarks/, docs/PERFORMANCE.md) instead of a peak quoted for some other CPU.
public enum PeakFLOPS {
    /// Measures for about `seconds` and returns the best rate seen over several short rounds, in
    /// GFLOP/s (2 FLOPs per lane per fused multiply-add). One thread: the caller's.
    public static func measure(seconds: Double = 0.5) -> Double {
        let rounds = 10
        let iterations = 200_000
        var best = 0.0
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        var sink: Float = 0
        repeat {
            for _ in 0..<rounds {
                let start = DispatchTime.now().uptimeNanoseconds
                sink += fmaChains(iterations: iterations, seed: sink)
                let ns = Double(DispatchTime.now().uptimeNanoseconds - start)
                best = Swift.max(best, Double(flopsPerIteration * iterations) / ns)
            }
        } while DispatchTime.now().uptimeNanoseconds < deadline
        if sink.isNaN { best = -best }  // keeps the work observable
        return best
    }

    /// 12 chains × 8 lanes × 2 FLOPs.
    static let flopsPerIteration = 12 * 8 * 2

    /// Twelve independent accumulator chains: enough to cover FMA latency (4-5 cycles) times two FMA
    /// pipes on current x86 cores, so the loop is throughput-bound.
    @inline(never)
    static func fmaChains(iterations: Int, seed: Float) -> Float {
        let a = SIMD8<Float>(repeating: 0.999_999 + seed * 1e-30)
        let b = SIMD8<Float>(repeating: 1e-7)
        var c0 = SIMD8<Float>(repeating: 0.1), c1 = SIMD8<Float>(repeating: 0.2), c2 = SIMD8<Float>(repeating: 0.3)
        var c3 = SIMD8<Float>(repeating: 0.4), c4 = SIMD8<Float>(repeating: 0.5), c5 = SIMD8<Float>(repeating: 0.6)
        var c6 = SIMD8<Float>(repeating: 0.7), c7 = SIMD8<Float>(repeating: 0.8), c8 = SIMD8<Float>(repeating: 0.9)
        var c9 = SIMD8<Float>(repeating: 1.0), c10 = SIMD8<Float>(repeating: 1.1), c11 = SIMD8<Float>(repeating: 1.2)
        for _ in 0..<iterations {
            c0 = c0.addingProduct(a, b); c1 = c1.addingProduct(a, b); c2 = c2.addingProduct(a, b)
            c3 = c3.addingProduct(a, b); c4 = c4.addingProduct(a, b); c5 = c5.addingProduct(a, b)
            c6 = c6.addingProduct(a, b); c7 = c7.addingProduct(a, b); c8 = c8.addingProduct(a, b)
            c9 = c9.addingProduct(a, b); c10 = c10.addingProduct(a, b); c11 = c11.addingProduct(a, b)
        }
        let s = (c0 + c1 + c2 + c3) + (c4 + c5 + c6 + c7) + (c8 + c9 + c10 + c11)
        return s.sum()
    }
}
