// Lazy OpenBLAS loader: choose OPENBLAS_CORETYPE from cpuid, then dlopen. See include/COpenBLAS.h.
#include "COpenBLAS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                         float, float *, int);
typedef void (*set_threads_fn)(int);
typedef char *(*string_fn)(void);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static sgemm_fn p_sgemm;
static set_threads_fn p_set_threads;
static string_fn p_corename;
static string_fn p_config;
static const char *core_source = "openblas";
static char load_error[256] = "OpenBLAS not loaded yet";

const char *swiftpot_blas_pick_core(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    unsigned max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 7) return NULL;
    __cpuid_count(0, 0, a, b, c, d);
    int amd = (b == 0x68747541u);  // "AuthenticAMD"
    __cpuid_count(1, 0, a, b, c, d);
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return NULL;
    // The OS must save the registers too (XCR0): ymm = SSE|AVX state, zmm = + opmask|ZMM_Hi256|Hi16_ZMM.
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    int ymm_ok = (lo & 0x6u) == 0x6u, zmm_ok = (lo & 0xe6u) == 0xe6u;
    __cpuid_count(7, 0, a, b, c, d);
    unsigned subleaves = a;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1;
    int bf16 = 0;
    if (subleaves >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        bf16 = (a >> 5) & 1;
    }
    if (zmm_ok && avx512f && avx512bw && avx512vl && avx2 && fma) return bf16 ? "Cooperlake" : "SkylakeX";
    // OpenBLAS's Zen core uses the Haswell kernels with AMD-tuned blocking.
    if (ymm_ok && avx2 && fma) return amd ? "Zen" : "Haswell";
#endif
    return NULL;
}

static void *sym(void *h, const char *name) { return h ? dlsym(h, name) : NULL; }

static void load(void) {
    const char *env = getenv("OPENBLAS_CORETYPE");
    if (env && *env) {
        core_source = "environment";
    } else {
        const char *core = swiftpot_blas_pick_core();
        if (core) {
            setenv("OPENBLAS_CORETYPE", core, 0);
            core_source = "cpuid";
        }
    }
    // SwiftPOT parallelises around BLAS (one level of parallelism): no OpenBLAS thread pool unless asked.
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    const char *names[] = {getenv("SWIFTPOT_BLAS_LIBRARY"), "libopenblas.so.0", "libopenblas.so", NULL};
    void *h = NULL;
    for (int i = 0; i < 3 && !h; i++) {
        if (names[i] && *names[i]) h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!h) {
        const char *e = dlerror();
        snprintf(load_error, sizeof load_error, "OpenBLAS could not be opened: %s", e ? e : "libopenblas.so.0 not found");
        return;
    }
    p_sgemm = (sgemm_fn)sym(h, "cblas_sgemm");
    p_set_threads = (set_threads_fn)sym(h, "openblas_set_num_threads");
    p_corename = (string_fn)sym(h, "openblas_get_corename");
    p_config = (string_fn)sym(h, "openblas_get_config");
    if (!p_sgemm) snprintf(load_error, sizeof load_error, "OpenBLAS has no cblas_sgemm");
    if (p_set_threads) p_set_threads(1);
}

int swiftpot_blas_load(void) {
    pthread_once(&load_once, load);
    return p_sgemm != NULL;
}

void swiftpot_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    // CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112
    p_sgemm(101, transA ? 112 : 111, transB ? 112 : 111, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void swiftpot_blas_set_threads(int threads) {
    if (swiftpot_blas_load() && p_set_threads) p_set_threads(threads < 1 ? 1 : threads);
}

const char *swiftpot_blas_corename(void) {
    swiftpot_blas_load();
    return p_corename ? p_corename() : "unavailable";
}

const char *swiftpot_blas_config(void) {
    swiftpot_blas_load();
    return p_config ? p_config() : load_error;
}

const char *swiftpot_blas_core_source(void) {
    swiftpot_blas_load();
    return core_source;
}
