#!/usr/bin/env python3
"""SwiftPOT interpreter vs OpenVINO CPU (f32), same machine, same thread count, alternating runs.

Developer-only (needs openvino + numpy, e.g. /work/venv-ov/bin/python):
  python scripts/bench_vs_openvino.py [--swiftpot .build/release/swiftpot] [--threads 1] [--rounds 3]
         [--iterations 30] [--warmup 5] [--perfmodels /work/shared/design/perfmodels.py]
         [--memory | --memory-only] [--memory-runs 3]
         [--models PATH.xml ...] [--unseen]

Models: fixtures/models/**/*.xml plus the synthetic perf models (resnet, mbv2, xformer) built into a
temporary directory by perfmodels.py. For each round and model it runs `swiftpot benchmark --json`,
then OpenVINO (INFERENCE_PRECISION_HINT f32, INFERENCE_NUM_THREADS T, NUM_STREAMS 1, LATENCY) on
random inputs with the same iteration counts, and prints per model the median over rounds of each
side's median latency, the best min, and the ratios SwiftPOT / OpenVINO of the medians, of the best
runs and of the median CPU time per inference. --memory adds (--memory-only
prints only) the median peak RSS of `swiftpot infer` (/usr/bin/time -v) against the model's weights
(.bin size) + its two largest activations, also with the peak RSS of an empty `swiftpot --help`
process subtracted and with that of a `swiftpot infer` of the tiny digits model subtracted, and the
activation arena from `swiftpot benchmark --json`.
"""
import argparse
import glob
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_perfmodels(script, outdir):
    spec = importlib.util.spec_from_file_location("perfmodels", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.build(outdir)
    return [os.path.join(outdir, n + ".xml") for n in ("resnet", "mbv2", "xformer")]


def build_unseen(outdir):
    """scripts/unseen_models.py's and scripts/unseen_models_more.py's architectures, built into outdir."""
    for script in ("unseen_models", "unseen_models_more"):
        spec = importlib.util.spec_from_file_location(script, os.path.join(ROOT, "scripts", script + ".py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.build(outdir)
    return sorted(glob.glob(os.path.join(outdir, "*.xml")))


def random_inputs(model, seed=0):
    rng = np.random.default_rng(seed)
    values = []
    for inp in model.inputs:
        shape = [d.get_length() if d.is_static else 1 for d in inp.get_partial_shape()]
        t = inp.get_element_type().to_dtype()
        if np.issubdtype(t, np.floating):
            values.append(rng.standard_normal(shape).astype(t))
        else:
            values.append(np.zeros(shape, dtype=t))  # ids 0: always inside any table
    return values


def ov_latency(core, xml, threads, iterations, warmup):
    model = core.read_model(xml)
    cfg = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1,
           "PERFORMANCE_HINT": "LATENCY"}
    req = core.compile_model(model, "CPU", cfg).create_infer_request()
    xs = random_inputs(model)
    for _ in range(warmup):
        req.infer(xs)
    ts, cpu = [], []
    for _ in range(iterations):
        t, c = time.perf_counter(), time.process_time()
        req.infer(xs)
        cpu.append((time.process_time() - c) * 1e3)
        ts.append((time.perf_counter() - t) * 1e3)
    return statistics.median(ts), min(ts), statistics.median(cpu)


def swift_latency(swiftpot, xml, threads, iterations, warmup):
    out = subprocess.run([swiftpot, "benchmark", xml, "--threads", str(threads), "--iterations", str(iterations),
                          "--warmup", str(warmup), "--json"], check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    return r["median_ms"], r["min_ms"], r["blas_core"], r.get("cpu_median_ms")


def max_rss(cmd):
    """Peak RSS in bytes of one run of `cmd` (/usr/bin/time -v)."""
    err = subprocess.run(["/usr/bin/time", "-v", *cmd], check=True, capture_output=True, text=True).stderr
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) * 1024


def process_floor(swiftpot, runs):
    """Peak RSS of a `swiftpot` process that does nothing (`--help`): runtime, Foundation, libraries."""
    return statistics.median(max_rss([swiftpot, "--help"]) for _ in range(runs))


def peak_memory(swiftpot, core, xml, tmp, runs):
    """Median peak RSS of `swiftpot infer` on random inputs, the model's weights (.bin size), its two
    largest activations and its activation arena (from `swiftpot benchmark --json`)."""
    model = core.read_model(xml)
    names = []
    for k, x in enumerate(random_inputs(model)):
        p = os.path.join(tmp, f"in_{k}.npy")
        np.save(p, x)
        names.append(p)
    cmd = [swiftpot, "infer", xml, *names, "--output-dir", os.path.join(tmp, "out")]
    rss = statistics.median(max_rss(cmd) for _ in range(runs))
    r = json.loads(subprocess.run([swiftpot, "benchmark", xml, "--iterations", "1", "--warmup", "0", "--json"],
                                  check=True, capture_output=True, text=True).stdout)
    return {"rss": rss, "weights": os.path.getsize(xml[:-4] + ".bin"), "acts": sum(r["largest_activation_bytes"]),
            "arena": r["activation_arena_bytes"], "live": r["activation_peak_live_bytes"]}


def check_outputs(swiftpot, core, models, tmp):
    """Max abs error, max error relative to the output's largest magnitude, and cosine similarity of
    every output of `swiftpot infer` against OpenVINO (f32) on the same seeded random inputs."""
    print("| model | output | shape | max abs err | max err / max abs ref | cosine |")
    print("|---|---|---|---|---|---|")
    for m in models:
        model = core.read_model(m)
        xs = random_inputs(model)
        names = []
        for k, x in enumerate(xs):
            names.append(os.path.join(tmp, f"chk_in_{k}.npy"))
            np.save(names[-1], x)
        out_dir = os.path.join(tmp, "chk_out")
        subprocess.run([swiftpot, "infer", m, *names, "--output-dir", out_dir], check=True, capture_output=True)
        compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        ref = compiled(xs)
        name = os.path.relpath(m, ROOT) if m.startswith(ROOT) else os.path.basename(m)
        for j, o in enumerate(compiled.outputs):
            r = np.asarray(ref[o], dtype=np.float64)
            g = np.load(os.path.join(out_dir, f"out_{j}.npy")).astype(np.float64)
            err = float(np.max(np.abs(g - r))) if r.size else 0.0
            scale = float(np.max(np.abs(r))) if r.size else 0.0
            cos = float(np.dot(g.ravel(), r.ravel()) / (np.linalg.norm(g) * np.linalg.norm(r) + 1e-30))
            print(f"| {name} | {j} | {list(r.shape)} | {err:.3g} | {err / scale if scale else 0:.3g} | {cos:.7f} |")


def print_memory(swiftpot, core, models, tmp, runs):
    floor = process_floor(swiftpot, runs)
    # The digits model (15 KB of weights): a process that has read, compiled and run a model, with
    # OpenBLAS (its MatMul), libxml2 and the interpreter's code paged in.
    digits = peak_memory(swiftpot, core, os.path.join(ROOT, "fixtures/pot/digits/digits.xml"), tmp, runs)["rss"]
    mib = 2 ** 20
    print(f"\nempty process (`swiftpot --help`) peak RSS: {floor / mib:.1f} MiB; digits process "
          f"(`swiftpot infer` of fixtures/pot/digits): {digits / mib:.1f} MiB (medians of {runs})")
    print("| model | peak RSS MiB | RSS - empty MiB | RSS - digits MiB | weights MiB | 2 largest activations MiB "
          "| arena MiB (peak live) | bound = weights + 2 act. MiB | RSS / bound | (RSS - empty process) / bound "
          "| (RSS - digits process) / bound |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for m in models:
        r = peak_memory(swiftpot, core, m, tmp, runs)
        bound = r["weights"] + r["acts"]
        name = os.path.relpath(m, ROOT) if m.startswith(ROOT) else os.path.basename(m)
        print(f"| {name} | {r['rss'] / mib:.1f} | {(r['rss'] - floor) / mib:.1f} | {(r['rss'] - digits) / mib:.1f} | "
              f"{r['weights'] / mib:.2f} | {r['acts'] / mib:.2f} | "
              f"{r['arena'] / mib:.2f} ({r['live'] / mib:.2f}) | {bound / mib:.2f} | {r['rss'] / bound:.2f} | "
              f"{(r['rss'] - floor) / bound:.2f} | {(r['rss'] - digits) / bound:.2f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftpot", default=os.path.join(ROOT, ".build/release/swiftpot"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--perfmodels", default="/work/shared/design/perfmodels.py")
    ap.add_argument("--models", nargs="*")
    ap.add_argument("--check", action="store_true",
                    help="first compare `swiftpot infer` outputs with OpenVINO's (f32) on the same random inputs")
    ap.add_argument("--unseen", action="store_true",
                    help="also build and run the architectures of scripts/unseen_models.py (unet, yolo, ssdlite, vit, effnet, "
                         "speech, densenet, shufflenet, bert_onnx, resnet50, c3d) and scripts/unseen_models_more.py "
                         "(convnext, deeplab, inception, espcn, style, mnv3, wav2vec)")
    ap.add_argument("--memory", action="store_true", help="also measure peak RSS of `swiftpot infer`")
    ap.add_argument("--memory-only", action="store_true", help="only the memory table (no latency rounds)")
    ap.add_argument("--memory-runs", type=int, default=3, help="runs per model for the median peak RSS")
    a = ap.parse_args()

    import openvino as ov
    core = ov.Core()
    with tempfile.TemporaryDirectory() as tmp:
        models = a.models or sorted(glob.glob(os.path.join(ROOT, "fixtures/models/**/*.xml"), recursive=True))
        models = [m for m in models if os.path.exists(m[:-4] + ".bin")]  # POT IRs ship without weights
        if not a.models and os.path.exists(a.perfmodels):
            models += build_perfmodels(a.perfmodels, os.path.join(tmp, "perf"))
        if not a.models:
            models.append(os.path.join(ROOT, "fixtures/pot/digits/digits.xml"))
        if a.unseen:
            models += build_unseen(os.path.join(tmp, "unseen"))
        if a.check:
            check_outputs(a.swiftpot, core, models, tmp)
        if a.memory_only or a.rounds == 0:
            if a.rounds == 0 and not a.memory_only:
                return
            print_memory(a.swiftpot, core, models, tmp, a.memory_runs)
            return
        res = {m: {"sw": [], "swmin": [], "swcpu": [], "ov": [], "ovmin": [], "ovcpu": []} for m in models}
        blas = "?"
        for r in range(a.rounds):
            for m in models:  # alternate: each model's two sides back to back, every round
                med, lo, blas, cpu = swift_latency(a.swiftpot, m, a.threads, a.iterations, a.warmup)
                res[m]["sw"].append(med); res[m]["swmin"].append(lo); res[m]["swcpu"].append(cpu)
                med, lo, cpu = ov_latency(core, m, a.threads, a.iterations, a.warmup)
                res[m]["ov"].append(med); res[m]["ovmin"].append(lo); res[m]["ovcpu"].append(cpu)
            print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
        print(f"threads={a.threads} rounds={a.rounds} iterations={a.iterations} OpenBLAS core={blas} "
              f"OpenVINO {ov.__version__.split('-')[0]} f32")
        # Two ratios: of the medians over rounds, and the median of each round's ratio (its two sides ran
        # back to back, so they shared the machine's state: the steadier figure on a noisy host).
        # Two more: of the best (min) runs, and of the median CPU time per inference (this process's CPU
        # time for OpenVINO, `swiftpot benchmark`'s cpu_median_ms): waiting for the CPU on a shared host
        # inflates wall medians on both sides, not CPU time.
        print("| model | SwiftPOT median ms | min | OpenVINO median ms | min | ratio (median) | ratio (median of per-round) "
              "| ratio (min) | ratio (CPU median) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for m in models:
            s, o = statistics.median(res[m]["sw"]), statistics.median(res[m]["ov"])
            per_round = statistics.median(x / y for x, y in zip(res[m]["sw"], res[m]["ov"]))
            best = min(res[m]["swmin"]) / min(res[m]["ovmin"])
            cpu = "-"
            if None not in res[m]["swcpu"]:
                cpu = f"{statistics.median(res[m]['swcpu']) / statistics.median(res[m]['ovcpu']):.2f}"
            name = os.path.relpath(m, ROOT) if m.startswith(ROOT) else os.path.basename(m)
            print(f"| {name} | {s:.2f} | {min(res[m]['swmin']):.2f} | {o:.2f} | {min(res[m]['ovmin']):.2f} | {s / o:.2f} "
                  f"| {per_round:.2f} | {best:.2f} | {cpu} |")
        if a.memory:
            print_memory(a.swiftpot, core, models, tmp, a.memory_runs)

if __name__ == "__main__":
    main()
