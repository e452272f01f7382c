#!/usr/bin/env python3
"""Compare `swiftpot inspect --json` with OpenVINO's read_model on every shared model (developer-only).

    /work/venv-ov/bin/python scripts/check_inspect.py [--swiftpot PATH] [--shared /work/shared] [-v]
                                                      [--time MODEL.xml] [--reps N]

Models: <shared>/conformance/*/model.xml, <shared>/models/*/*.xml, <shared>/models/*/pot/*.xml and this
repository's fixtures/ir/*/model.xml; models without their .bin are skipped. For each model it checks
IR version, the input and output counts and order, names (OpenVINO's any_name and the full name set),
element types and shapes (-1 for a dynamic dim, null for a dynamic rank). Input partial shapes are
compared as text ("[1,1..10,?]"). Output partial shapes are not: OpenVINO re-runs shape inference
when it reads a model, while the IR's port <dim>s (which `inspect` reports) flatten intervals to -1.

--time MODEL.xml prints the median/min wall time over --reps runs of `swiftpot inspect --json` (a fresh
process per run), of a fresh Python process that imports openvino and calls read_model, and of
ov.Core().read_model in this process (core created once).
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

import openvino as ov

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def model_paths(shared):
    paths = sorted(glob.glob(os.path.join(shared, "conformance", "*", "model.xml")))
    paths += sorted(glob.glob(os.path.join(shared, "models", "*", "*.xml")))
    paths += sorted(glob.glob(os.path.join(shared, "models", "*", "pot", "*.xml")))
    paths += sorted(glob.glob(os.path.join(REPO, "fixtures", "ir", "*", "model.xml")))
    return paths


def ov_shape(ps):
    if ps.rank.is_dynamic:
        return None
    return [d.get_length() if d.is_static else -1 for d in ps]


def ov_port(port):
    names = sorted(port.get_names())
    return {
        "name": port.get_any_name() if names else port.get_node().get_friendly_name(),
        "names": names,
        "element_type": port.get_element_type().get_type_name(),
        "shape": ov_shape(port.get_partial_shape()),
        "partial_shape": str(port.get_partial_shape()),
    }


def compare(path, mine, model, ir_version):
    problems = []
    if mine.get("ir_version") != ir_version:
        problems.append(f"ir_version {mine.get('ir_version')} != {ir_version}")
    for kind, ports in (("inputs", model.inputs), ("outputs", model.outputs)):
        ours = mine.get(kind, [])
        if len(ours) != len(ports):
            problems.append(f"{kind}: {len(ours)} != OpenVINO's {len(ports)}")
            continue
        for i, (a, port) in enumerate(zip(ours, ports)):
            b = ov_port(port)
            for key in ("name", "names", "element_type", "shape"):
                if a.get(key) != b[key]:
                    problems.append(f"{kind}[{i}].{key}: {a.get(key)!r} != OpenVINO's {b[key]!r}")
            if kind == "inputs":
                mine_ps = a.get("partial_shape", b["partial_shape"] if a.get("shape") is not None and -1 not in a["shape"] else None)
                if mine_ps != b["partial_shape"]:
                    problems.append(f"inputs[{i}].partial_shape: {mine_ps!r} != OpenVINO's {b['partial_shape']!r}")
    return problems


def ir_version_of(path):
    with open(path, "rb") as f:
        head = f.read(4096).decode("utf-8", "replace")
    i = head.find("<net")
    j = head.find('version="', i)
    return int(head[j + 9:head.find('"', j + 9)]) if i >= 0 and j >= 0 else None


def run_inspect(swiftpot, path):
    r = subprocess.run([swiftpot, "inspect", "--json", path], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return json.loads(r.stdout), None


def time_both(swiftpot, path, reps):
    walls = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run([swiftpot, "inspect", "--json", path], capture_output=True, check=True)
        walls.append(time.perf_counter() - t0)
    ovp = []
    script = f"import openvino as ov; ov.Core().read_model({path!r})"
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
        ovp.append(time.perf_counter() - t0)
    core = ov.Core()
    core.read_model(path)
    ovt = []
    for _ in range(reps):
        t0 = time.perf_counter()
        core.read_model(path)
        ovt.append(time.perf_counter() - t0)
    for label, xs in (("swiftpot inspect --json (fresh process)", walls),
                      ("python -c 'read_model' (fresh process)", ovp),
                      ("ov.Core().read_model (in-process)", ovt)):
        print(f"{label}: median {statistics.median(xs) * 1e3:.1f} ms, min {min(xs) * 1e3:.1f} ms, "
              f"max {max(xs) * 1e3:.1f} ms over {reps} runs")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftpot", default=os.path.join(REPO, ".build", "release", "swiftpot"))
    ap.add_argument("--shared", default="/work/shared")
    ap.add_argument("--time", metavar="MODEL.xml")
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.time:
        time_both(args.swiftpot, args.time, args.reps)
        return 0
    core = ov.Core()
    passed, failed, skipped = 0, [], 0
    for path in model_paths(args.shared):
        if not os.path.exists(path[:-4] + ".bin"):
            skipped += 1
            if args.verbose:
                print(f"skip (no .bin): {path}")
            continue
        model = core.read_model(path)
        mine, err = run_inspect(args.swiftpot, path)
        problems = [f"swiftpot failed: {err}"] if mine is None else compare(path, mine, model, ir_version_of(path))
        if problems:
            failed.append(path)
            print(f"FAIL {path}")
            for p in problems:
                print(f"    {p}")
        else:
            passed += 1
            if args.verbose:
                print(f"ok   {path}")
    print(f"{passed}/{passed + len(failed)} agree with OpenVINO {ov.__version__}; {len(failed)} differ; {skipped} skipped (no .bin)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
