#!/usr/bin/env python3
"""Where the time goes: SwiftPOT's per-node times next to OpenVINO CPU's (f32, 1 thread), per op type
and per node.

Developer-only (needs openvino + numpy, e.g. /work/venv-ov/bin/python):
  python scripts/profile_vs_openvino.py MODEL.xml [--iterations 20] [--warmup 3]
         [--swiftpot .build/release/swiftpot] [--threads 1] [--top 15] [--all]

OpenVINO side: compiled with INFERENCE_PRECISION_HINT=f32, INFERENCE_NUM_THREADS=T, NUM_STREAMS=1,
PERFORMANCE_HINT=LATENCY, PERF_COUNT=True; after each timed inference `request.get_profiling_info()`
gives the real time of every *executed* node of the compiled graph. OpenVINO fuses nodes (a
Convolution absorbs its bias Add and ReLU, BatchNorm + ReLU become one "Subgraph", Concat is often
done in place and never runs) and renames them; the runtime model's `originalLayersNames` says which
IR nodes each executed node stands for, and that is how the two sides are matched.

SwiftPOT side: `swiftpot benchmark MODEL --trace --iterations N --warmup W`, whose stderr has one
`[trace] NAME TYPE[+fused] in=... out=... kernel=K T ms` line per step and run (a fused convolution
carries the convolution's name; the steps it absorbed print nothing).

Matching: every SwiftPOT step is put in the group of the OpenVINO executed node whose original names
include the step's name, else (OpenVINO renames a convolution it merged with the following Multiply
after folding BatchNorm into it) of the first node down the IR's single-consumer chain from the step
(at most 4 hops) that has one; the groups are printed with both sides' medians (or minima,
`--stat min`: on a loaded host the minimum over runs is the steadier estimate of a node's own cost)
over the timed runs of the summed node times. SwiftPOT steps with no OpenVINO counterpart (nodes OpenVINO folded away, e.g.
Reshape/ShapeOf on constants) and OpenVINO nodes with no SwiftPOT step (Reorders into its blocked
layouts, or nodes SwiftPOT fused into something else) show with a 0 on the other side. Per op type
the SwiftPOT type of the group's first step is used (OpenVINO's layer type for OpenVINO-only nodes).
The totals compare the summed node times and each side's wall-clock median (the trace adds a little
per step on the SwiftPOT side; PERF_COUNT a little on OpenVINO's).
"""
import argparse
import collections
import os
import re
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench_vs_openvino import random_inputs  # noqa: E402  (same seeded inputs as the benchmark)

TRACE = re.compile(r"^\[trace\] (\S+) (\S+) in=(.*) out=(.*) kernel=(\S+) ([0-9.]+) ms$")


def openvino_profile(xml, threads, iterations, warmup):
    """-> (per executed node: {name: (layer type, exec type, [ms per run], [original names])}, wall ms list)"""
    import openvino as ov
    core = ov.Core()
    model = core.read_model(xml)
    cfg = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1,
           "PERFORMANCE_HINT": "LATENCY", "PERF_COUNT": True}
    compiled = core.compile_model(model, "CPU", cfg)
    originals = {}
    for op in compiled.get_runtime_model().get_ordered_ops():
        info = op.get_rt_info()
        names = info["originalLayersNames"].astype(str) if "originalLayersNames" in info else ""
        originals[op.get_friendly_name()] = [n for n in names.split(",") if n]
    request = compiled.create_infer_request()
    xs = random_inputs(model)
    for _ in range(warmup):
        request.infer(xs)
    nodes, walls = {}, []
    for _ in range(iterations):
        t = time.perf_counter()
        request.infer(xs)
        walls.append((time.perf_counter() - t) * 1e3)
        for p in request.get_profiling_info():
            if str(p.status).endswith("NOT_RUN"):
                continue
            entry = nodes.setdefault(p.node_name, (p.node_type, p.exec_type, [], originals.get(p.node_name, [])))
            entry[2].append(p.real_time.total_seconds() * 1e3)
    return nodes, walls


def swiftpot_profile(swiftpot, xml, threads, iterations, warmup):
    """-> (ordered {name: (type, kernel, [ms per run], out shape)}, wall median ms)"""
    cmd = [swiftpot, "benchmark", xml, "--trace", "--iterations", str(iterations), "--warmup", str(warmup),
           "--threads", str(threads), "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"swiftpot benchmark failed ({p.returncode}): {p.stderr[-2000:]}")
    import json
    wall = json.loads(p.stdout)["median_ms"]
    steps = collections.OrderedDict()
    for line in p.stderr.splitlines():
        m = TRACE.match(line)
        if not m:
            continue
        name, typ, _ins, outs, kernel, ms = m.groups()
        entry = steps.setdefault(name, (typ, kernel, [], outs))
        entry[2].append(float(ms))
    # The first `warmup` runs of every step are the warm-up.
    for name, (typ, kernel, times, outs) in steps.items():
        steps[name] = (typ, kernel, times[warmup:] if len(times) > warmup else times, outs)
    return steps, wall


def med(xs):
    return statistics.median(xs) if xs else 0.0


def ir_consumers(xml):
    """IR node name -> names of the nodes reading its outputs (Results left out)."""
    root = ET.parse(xml).getroot()
    layers = {l.get("id"): (l.get("name"), l.get("type")) for l in root.iter("layer")}
    readers = collections.defaultdict(list)
    for e in root.iter("edge"):
        src, dst = layers.get(e.get("from-layer")), layers.get(e.get("to-layer"))
        if src and dst and dst[1] != "Result" and dst[0] not in readers[src[0]]:
            readers[src[0]].append(dst[0])
    return readers


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help="IR .xml (the .bin beside it)")
    ap.add_argument("--iterations", type=int, default=20, help="timed runs on each side (default 20)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    ap.add_argument("--swiftpot", default=os.path.join(ROOT, ".build/release/swiftpot"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--top", type=int, default=15, help="node groups listed, largest gap first (default 15)")
    ap.add_argument("--all", action="store_true", help="list every node group in execution order")
    ap.add_argument("--stat", choices=["median", "min"], default="median",
                    help="per node group over the timed runs (default median)")
    a = ap.parse_args()
    if not os.path.exists(a.model):
        sys.exit(f"no such model: {a.model}")
    if not os.path.exists(a.swiftpot):
        sys.exit(f"no swiftpot binary at {a.swiftpot} (swift build -c release, or --swiftpot)")

    steps, sp_wall = swiftpot_profile(a.swiftpot, a.model, a.threads, a.iterations, a.warmup)
    ov_nodes, ov_walls = openvino_profile(a.model, a.threads, a.iterations, a.warmup)

    stat = med if a.stat == "median" else (lambda xs: min(xs) if xs else 0.0)
    owner = {}   # IR node name -> OpenVINO executed node
    for ov_name, (_t, _e, _ts, names) in ov_nodes.items():
        for n in names:
            owner.setdefault(n, ov_name)
        owner.setdefault(ov_name, ov_name)
    readers = ir_consumers(a.model)

    def owner_of(name):
        for _ in range(5):
            if name in owner:
                return owner[name]
            nxt = readers.get(name, [])
            if len(nxt) != 1:
                return None
            name = nxt[0]
        return None

    # Groups keyed by the OpenVINO executed node (or by the SwiftPOT step when unmatched), in SwiftPOT order.
    groups = collections.OrderedDict()
    for name, (typ, kernel, times, outs) in steps.items():
        key = owner_of(name) or "swiftpot:" + name
        g = groups.setdefault(key, {"ours": [], "names": [], "types": [], "kernels": [], "out": outs})
        g["ours"].append(times)
        g["names"].append(name)
        g["types"].append(typ)
        g["kernels"].append(kernel)
    for ov_name in ov_nodes:
        groups.setdefault(ov_name, {"ours": [], "names": [], "types": [], "kernels": [], "out": ""})

    rows = []
    for key, g in groups.items():
        runs = min((len(t) for t in g["ours"]), default=0)
        ours = stat([sum(t[r] for t in g["ours"]) for r in range(runs)]) if runs else 0.0
        ov = ov_nodes.get(key)
        theirs = stat(ov[2]) if ov else 0.0
        op_type = g["types"][0].split("+")[0] if g["types"] else ("OV:" + ov[0] if ov else "?")
        label = " ".join(f"{n}:{t}" for n, t in zip(g["names"], g["types"])) or "-"
        rows.append({"key": key, "type": op_type, "ours": ours, "ov": theirs, "label": label,
                     "kernel": ",".join(sorted(set(g["kernels"]))) or "-",
                     "ov_exec": f"{ov[0]}/{ov[1]}" if ov else "-", "out": g["out"].replace(" ", "")})

    by_type = collections.OrderedDict()
    for r in rows:
        t = by_type.setdefault(r["type"], [0.0, 0.0, 0])
        t[0] += r["ours"]
        t[1] += r["ov"]
        t[2] += 1
    tot_ours = sum(r["ours"] for r in rows)
    tot_ov = sum(r["ov"] for r in rows)

    print(f"model: {a.model}")
    print(f"threads {a.threads}, {a.iterations} timed runs after {a.warmup} warm-up on each side; "
          f"per node group the {a.stat} over runs; load average {os.getloadavg()[0]:.2f}")
    print()
    print(f"{'op type':<28} {'nodes':>5} {'swiftpot ms':>12} {'openvino ms':>12} {'ratio':>7} {'gap ms':>8}")
    for t, (o, v, n) in sorted(by_type.items(), key=lambda kv: -(kv[1][0] - kv[1][1])):
        ratio = f"{o / v:7.2f}" if v > 0 else "      -"
        print(f"{t:<28} {n:>5} {o:12.3f} {v:12.3f} {ratio} {o - v:8.3f}")
    print(f"{'sum over node groups':<28} {len(rows):>5} {tot_ours:12.3f} {tot_ov:12.3f} "
          f"{(tot_ours / tot_ov if tot_ov else 0):7.2f} {tot_ours - tot_ov:8.3f}")
    ours_runs = min((len(t) for (_ty, _k, t, _o) in steps.values()), default=0)
    run_ours = med([sum(t[r] for (_ty, _k, t, _o) in steps.values()) for r in range(ours_runs)])
    ov_runs = min((len(v[2]) for v in ov_nodes.values()), default=0)
    run_ov = med([sum(v[2][r] for v in ov_nodes.values()) for r in range(ov_runs)])
    print(f"{'median of per-run sums':<28} {'':>5} {run_ours:12.3f} {run_ov:12.3f} "
          f"{(run_ours / run_ov if run_ov else 0):7.2f} {run_ours - run_ov:8.3f}")
    print(f"{'wall-clock median':<28} {'':>5} {sp_wall:12.3f} {med(ov_walls):12.3f} "
          f"{(sp_wall / med(ov_walls) if ov_walls else 0):7.2f} {sp_wall - med(ov_walls):8.3f}")
    print()
    listed = rows if a.all else sorted(rows, key=lambda r: -(r["ours"] - r["ov"]))[:a.top]
    print(("every node group, in execution order" if a.all else f"top {a.top} node groups by gap (swiftpot - openvino)") + ":")
    print(f"{'swiftpot ms':>11} {'openvino ms':>11} {'ratio':>6}  swiftpot steps [kernel] out  <->  openvino node (type/impl)")
    for r in listed:
        ratio = f"{r['ours'] / r['ov']:6.2f}" if r["ov"] > 0 else "     -"
        ov_side = "-" if r["key"].startswith("swiftpot:") else f"{r['key']} ({r['ov_exec']})"
        print(f"{r['ours']:11.3f} {r['ov']:11.3f} {ratio}  {r['label']} [{r['kernel']}] {r['out']}  <->  {ov_side}")


if __name__ == "__main__":
    main()
