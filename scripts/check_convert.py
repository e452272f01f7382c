#!/usr/bin/env python3
"""Developer-only: check `swiftpot convert` against OpenVINO.

For every IR with a .bin under the conformance suite, the shared models (their pot/ goldens too) and
fixtures/ir (IR v10, sub-graphs, interval dims, sub-byte constants),
run `swiftpot convert IN.xml OUT.xml`, then load the original and the converted IR in OpenVINO 2026.4
and 2023.3 and check that the outputs are bit-identical (CPU, INFERENCE_PRECISION_HINT f32) and that
input/output tensor names survive.

    /work/venv-ov/bin/python scripts/check_convert.py [--swiftpot PATH] [--only SUBSTRING] [--keep DIR]

The script runs itself as a worker under each OpenVINO's Python (--worker JOBS.json).
"""
import argparse, glob, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = "/work/shared"
PYTHONS = {"2026.4": "/work/venv-ov/bin/python", "2023.3": "/work/venv-pot/bin/python"}


def find_models(only):
    jobs = []
    cases = sorted(glob.glob(f"{SHARED}/conformance/*/model.xml")) + sorted(glob.glob(f"{ROOT}/fixtures/ir/*/model.xml"))
    for xml in cases:
        case = os.path.dirname(xml)
        jobs.append({"name": os.path.basename(case), "xml": xml, "inputs": {"kind": "indexed", "dir": case}})
    for xml in sorted(glob.glob(f"{SHARED}/models/*/*.xml") + glob.glob(f"{SHARED}/models/*/pot/*.xml")):
        in_pot = os.path.basename(os.path.dirname(xml)) == "pot"
        top = os.path.dirname(os.path.dirname(xml)) if in_pot else os.path.dirname(xml)
        jobs.append({"name": os.path.relpath(xml, f"{SHARED}/models"), "xml": xml,
                     "inputs": {"kind": "pot", "dir": os.path.join(top, "pot")}})
    jobs = [j for j in jobs if os.path.exists(j["xml"][:-4] + ".bin")]
    return [j for j in jobs if only is None or only in j["name"]]


def convert_all(jobs, swiftpot, outdir):
    for j in jobs:
        out = os.path.join(outdir, j["name"].replace("/", "__") + ".xml")
        p = subprocess.run([swiftpot, "convert", j["xml"], out], capture_output=True, text=True)
        j["converted"] = out if p.returncode == 0 else None
        j["convert_error"] = p.stderr.strip() if p.returncode != 0 else None
    return jobs


# ---------------------------------------------------------------- worker (runs under each OpenVINO)

def load_inputs(model, spec, np):
    feeds = []
    rng = np.random.default_rng(0)
    for i, port in enumerate(model.inputs):
        path = None
        if spec["kind"] == "indexed":
            path = os.path.join(spec["dir"], f"in_{i}.npy")
        else:
            names = sorted(port.get_names())
            cands = [os.path.join(spec["dir"], f"in_0_{n}.npy") for n in names]
            if len(model.inputs) == 1:
                cands.append(os.path.join(spec["dir"], "in_0.npy"))
            path = next((c for c in cands if os.path.exists(c)), None)
        if path and os.path.exists(path):
            feeds.append(np.load(path))
        else:
            shape = [d.get_length() if d.is_static else 1 for d in port.get_partial_shape()]
            feeds.append(rng.standard_normal(shape).astype(port.get_element_type().to_dtype()))
    return feeds


def run_model(core, xml, spec, np):
    model = core.read_model(xml)
    names = {"inputs": [sorted(p.get_names()) for p in model.inputs], "outputs": [sorted(p.get_names()) for p in model.outputs]}
    feeds = load_inputs(model, spec, np)
    # The CPU plugin refuses dynamic-rank Parameters: pin them to the input's shape (both IRs alike).
    if any(p.get_partial_shape().rank.is_dynamic for p in model.inputs):
        model.reshape({p: list(f.shape) for p, f in zip(model.inputs, feeds)})
    compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    req = compiled.create_infer_request()
    req.infer(feeds)
    outs = [np.array(req.get_output_tensor(k).data, copy=True) for k in range(len(model.outputs))]
    return names, outs


def worker(jobs_path):
    import numpy as np
    import openvino as ov
    core = ov.Core()
    results = []
    for j in json.load(open(jobs_path)):
        r = {"name": j["name"], "status": "fail", "detail": ""}
        try:
            if j.get("converted") is None:
                r["detail"] = "convert failed: " + (j.get("convert_error") or "")
            else:
                n0, o0 = run_model(core, j["xml"], j["inputs"], np)
                n1, o1 = run_model(core, j["converted"], j["inputs"], np)
                same = len(o0) == len(o1) and all(a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
                                                  for a, b in zip(o0, o1))
                if n0 != n1:
                    r["detail"] = f"names differ: {n0} vs {n1}"
                elif not same:
                    r["detail"] = "outputs differ"
                else:
                    r["status"] = "ok"
        except Exception as e:  # report and continue: one broken case must not stop the check
            r["status"] = "error"
            r["detail"] = str(e).replace("\n", " ")[:300]
        results.append(r)
    json.dump(results, sys.stdout)


# ---------------------------------------------------------------- driver

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker")
    ap.add_argument("--swiftpot", default=os.path.join(ROOT, ".build-writer/debug/swiftpot"))
    ap.add_argument("--only")
    ap.add_argument("--keep", help="keep converted IRs in this directory")
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker)
    jobs = find_models(args.only)
    outdir = args.keep or tempfile.mkdtemp(prefix="check-convert-")
    os.makedirs(outdir, exist_ok=True)
    convert_all(jobs, args.swiftpot, outdir)
    converted = sum(j["converted"] is not None for j in jobs)
    print(f"converted {converted}/{len(jobs)} IRs with {args.swiftpot}")
    jobs_path = os.path.join(outdir, "jobs.json")
    json.dump(jobs, open(jobs_path, "w"))
    summary = {}
    for version, python in PYTHONS.items():
        if not os.path.exists(python):
            print(f"OpenVINO {version}: {python} missing, skipped")
            continue
        p = subprocess.run([python, os.path.abspath(__file__), "--worker", jobs_path], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"OpenVINO {version}: worker failed: {p.stderr[-2000:]}")
            continue
        results = json.loads(p.stdout)
        ok = [r for r in results if r["status"] == "ok"]
        for r in results:
            if r["status"] != "ok":
                print(f"  [{version}] {r['status']}: {r['name']}: {r['detail']}")
        summary[version] = (len(ok), len(results))
    for version, (n, m) in summary.items():
        print(f"OpenVINO {version}: {n}/{m} converted IRs give bit-identical outputs and the same tensor names")
    if not args.keep:
        subprocess.run(["rm", "-rf", outdir])
    sys.exit(0 if summary and all(n == m for n, m in summary.values()) else 1)


if __name__ == "__main__":
    main()
