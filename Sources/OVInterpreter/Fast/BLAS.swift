import COpenBLAS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The one file that talks to OpenBLAS. The C target COpenBLAS opens the library lazily (dlopen)
// after choosing OPENBLAS_CORETYPE from cpuid, so the right core is used in every process that
// links SwiftPOT (CLI, tests, other packages) without any environment setup.

/// Which OpenBLAS SwiftPOT runs, for logs and benchmark reports.
public enum BLASInfo {
    /// Whether OpenBLAS could be opened (fast GEMM kernels are off without it).
    public static var isAvailable: Bool { BLAS.isAvailable }
    /// OpenBLAS's core (`Haswell`, `SkylakeX`, `Cooperlake`, `Zen`, …) or `unavailable`.
    public static var coreName: String { String(cString: swiftpot_blas_corename()) }
    /// `cpuid` (chosen by SwiftPOT), `environment` (OPENBLAS_CORETYPE was set) or `openblas` (its own detection).
    public static var coreSource: String { String(cString: swiftpot_blas_core_source()) }
    /// OpenBLAS's build configuration, or why it could not be opened.
    public static var config: String { String(cString: swiftpot_blas_config()) }
    /// The core SwiftPOT picks for this CPU from its features, if any.
    public static var preferredCore: String? { swiftpot_blas_pick_core().map { String(cString: $0) } }
}

/// Single-precision GEMM through OpenBLAS (row-major), always with one OpenBLAS thread: SwiftPOT
/// splits the work itself across `threads` workers, so there is one level of parallelism only.
enum BLAS {
    static let isAvailable: Bool = swiftpot_blas_load() == 1

    /// `C[m, n] = op(A) · op(B) (+ beta · C)`; A is stored `[m, k]` (`[k, m]` when `transA`) with row
    /// stride `lda`, B `[k, n]` (`[n, k]` when `transB`) with row stride `ldb`.
    static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0, threads: Int = 1) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
            }
            return
        }
        // One output column with contiguous B (a convolution whose output is a single pixel, a
        // matrix-vector product): OpenBLAS's sgemm packs A for nothing; a row-by-row SIMD dot product
        // streams it once.
        if n == 1 && !transA && (transB || ldb == 1) {
            parallelChunks(m, threads: Swift.min(threads, Swift.max(1, m * k / 500_000)), align: 8) { r in
                for i in r { c[i * ldc] = dot(a + i * lda, b, k) + (beta == 0 ? 0 : beta * c[i * ldc]) }
            }
            return
        }
        // One output row with contiguous A (a classifier head: [1, K] times weights): one SIMD
        // dot product per output column over B's rows when B is stored [n, k], else rows of B
        // scaled and accumulated into C — B streamed once either way, nothing packed.
        if m == 1 && (!transA || lda == 1) {
            let chunk = Swift.min(threads, Swift.max(1, n * k / 500_000))
            if transB {
                parallelChunks(n, threads: chunk, align: 8) { r in
                    for j in r { c[j] = dot(b + j * ldb, a, k) + (beta == 0 ? 0 : beta * c[j]) }
                }
            } else {
                parallelChunks(n, threads: chunk, align: 64) { r in
                    let out = c + r.lowerBound
                    if beta == 0 { out.update(repeating: 0, count: r.count) } else { for j in 0..<r.count { out[j] *= beta } }
                    for p in 0..<k { axpy(a[p], b + p * ldb + r.lowerBound, out, r.count) }
                }
            }
            return
        }
        // Split the longer side of C; keep chunks large enough to amortise packing.
        let t = Swift.min(threads, Swift.max(1, (m * n * k) / 2_000_000))
        if t <= 1 {
            call(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, beta)
            return
        }
        if n >= m {
            parallelChunks(n, threads: t, align: 16) { r in
                let bOff = transB ? r.lowerBound * ldb : r.lowerBound
                call(transA, transB, m, r.count, k, a, lda, b + bOff, ldb, c + r.lowerBound, ldc, beta)
            }
        } else {
            parallelChunks(m, threads: t, align: 4) { r in
                let aOff = transA ? r.lowerBound : r.lowerBound * lda
                call(transA, transB, r.count, n, k, a + aOff, lda, b, ldb, c + r.lowerBound * ldc, ldc, beta)
            }
        }
    }

    /// `Σ a[i]·b[i]` over `k` floats, 16 at a time in two SIMD8 accumulators.
    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ k: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= k {
            s0 += load8(a + i) * load8(b + i)
            s1 += load8(a + i + 8) * load8(b + i + 8)
            i += 16
        }
        if i + 8 <= k {
            s0 += load8(a + i) * load8(b + i)
            i += 8
        }
        var sum = (s0 + s1).sum()
        while i < k {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// `y[j] += alpha · x[j]` over `n` floats.
    @inline(__always)
    private static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let va = SIMD8<Float>(repeating: alpha)
        var j = 0
        while j + 8 <= n {
            let v = load8(UnsafePointer(y + j)) + va * load8(x + j)
            UnsafeMutableRawPointer(y + j).storeBytes(of: v, as: SIMD8<Float>.self)
            j += 8
        }
        while j < n {
            y[j] += alpha * x[j]
            j += 1
        }
    }

    @inline(__always)
    private static func call(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
                             _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ beta: Float) {
        swiftpot_sgemm(ta ? 1 : 0, tb ? 1 : 0, Int32(m), Int32(n), Int32(k), 1, a, Int32(Swift.max(1, lda)),
                       b, Int32(Swift.max(1, ldb)), beta, c, Int32(Swift.max(1, ldc)))
    }
}
