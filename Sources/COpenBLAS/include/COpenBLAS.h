#ifndef COPENBLAS_LOADER_H
#define COPENBLAS_LOADER_H

// SwiftPOT's door to OpenBLAS. The library is not linked: it is opened with dlopen on first use,
// after OPENBLAS_CORETYPE has been chosen from the CPU's features (cpuid + xgetbv), because OpenBLAS
// reads that variable in its load-time constructor and Debian's DYNAMIC_ARCH build mis-detects some
// CPUs (an AVX-512 Xeon as Prescott: 6-9x slower sgemm). A variable the user set is never changed.

#ifdef __cplusplus
extern "C" {
#endif

/// Opens OpenBLAS (once; thread-safe). Returns 1 when sgemm is available, 0 otherwise.
int swiftpot_blas_load(void);

/// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C. Requires swiftpot_blas_load() == 1.
void swiftpot_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/// The threads OpenBLAS itself may use (1 when SwiftPOT parallelises around it).
void swiftpot_blas_set_threads(int threads);

/// OpenBLAS's core name ("Haswell", "SkylakeX", ...), or "unavailable".
const char *swiftpot_blas_corename(void);

/// OpenBLAS's build configuration string, or the reason it could not be opened.
const char *swiftpot_blas_config(void);

/// Where the core came from: "cpuid" (chosen here), "environment" (OPENBLAS_CORETYPE was set) or
/// "openblas" (no choice made: OpenBLAS detected it itself).
const char *swiftpot_blas_core_source(void);

/// The core SwiftPOT would pick for this CPU ("Cooperlake", "SkylakeX", "Zen", "Haswell") or NULL.
const char *swiftpot_blas_pick_core(void);

#ifdef __cplusplus
}
#endif
#endif
