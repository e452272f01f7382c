#!/usr/bin/env python3
"""Peak memory (and wall time) of `swiftpot quantize` against the real POT on the same model and data.

Developer-only. Run with any python 3 that has numpy; the POT side runs in the POT venv:
  python3 scripts/memory_quantize_vs_pot.py [--swiftpot .build/release/swiftpot]
          [--pot-python /work/venv-pot/bin/python] [--runs 1] [MODEL ...]

MODEL: face_landmark, palm_detection_lite, minilm_l2 (default: all), from fixtures/models. Both
sides get the same calibration data (the model's calib files, scaled as fixtures/models/make_golden.py
feeds them) and POT's golden parameters from pot/fq.json (DefaultQuantization, preset performance,
target CPU, stat_subset_size = all samples, model_type transformer for minilm_l2). Each side is one
process measured with /usr/bin/time -v (maximum resident set size):
  POT:      python: load_model, IEEEngine over the samples, create_pipeline([DefaultQuantization]),
            pipeline.run, save_model — with make_golden.py's FastBiasCorrection patch on
            palm_detection_lite (unpatched POT 2023.3 crashes there with KeyError: 'shape').
  SwiftPOT: swiftpot quantize --model ... --data ... --subset-size N --preset performance (--json).
Prints per model the median peak RSS of each side, the ratio, and both wall times (whole process).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "fixtures", "models")

POT_RUNNER = r'''
import importlib.util, json, sys, time
import numpy as np
from openvino.tools.pot import DataLoader, IEEngine, load_model, save_model, create_pipeline
name, xml, data, params, out, golden = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5], sys.argv[6]
if name == "palm_detection_lite":
    spec = importlib.util.spec_from_file_location("make_golden", golden)
    mg = importlib.util.module_from_spec(spec); spec.loader.exec_module(mg)
    mg.patch_pot_fast_bias_correction()
d = np.load(data)
if isinstance(d, np.ndarray):
    feeds = [d[i:i + 1] for i in range(len(d))]
else:
    arrays = {k: d[k] for k in d.files}
    n = len(next(iter(arrays.values())))
    feeds = [{k: v[i:i + 1] for k, v in arrays.items()} for i in range(n)]
class Loader(DataLoader):
    def __init__(self): super().__init__({})
    def __len__(self): return len(feeds)
    def __getitem__(self, i): return feeds[i], 0
model = load_model({"model_name": name, "model": xml, "weights": xml[:-4] + ".bin"})
pipe = create_pipeline([{"name": "DefaultQuantization", "params": params}], IEEngine({"device": "CPU"}, data_loader=Loader()))
t = time.time()
q = pipe.run(model)
print(json.dumps({"pipeline_run_s": time.time() - t}))
save_model(q, out, model_name=name + "_pot")
'''


def feeds(name):
    """The calibration data as make_golden.py feeds it: (file content, is_npz)."""
    d = os.path.join(MODELS, name)
    if name == "minilm_l2":
        return {k: np.load(os.path.join(d, f"calib_{k}.npy")) for k in ("input_ids", "attention_mask", "token_type_ids")}
    scale, shift = {"face_landmark": (1 / 255.0, 0.0), "palm_detection_lite": (1 / 127.5, -1.0)}[name]
    return np.load(os.path.join(d, "calib.npy")).astype(np.float32) * np.float32(scale) + np.float32(shift)


def timed(cmd):
    """(peak RSS bytes, wall seconds, stdout) of one process under /usr/bin/time -v."""
    r = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) * 1024
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return rss, wall, r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftpot", default=os.path.join(ROOT, ".build/release/swiftpot"))
    ap.add_argument("--pot-python", default="/work/venv-pot/bin/python")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("models", nargs="*", default=["face_landmark", "palm_detection_lite", "minilm_l2"])
    a = ap.parse_args()
    mib = 2 ** 20
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        runner = os.path.join(tmp, "pot_runner.py")
        with open(runner, "w") as f:
            f.write(POT_RUNNER)
        for name in a.models:
            xml = os.path.join(MODELS, name, name + ".xml")
            params = json.load(open(os.path.join(MODELS, name, "pot", "fq.json")))["params"]
            f = feeds(name)
            if isinstance(f, dict):
                data = os.path.join(tmp, name + ".npz")
                np.savez(data, **f)
            else:
                data = os.path.join(tmp, name + ".npy")
                np.save(data, f)
            extra = ["--model-type", params["model_type"]] if "model_type" in params else []
            pot, ours = [], []
            for r in range(a.runs):  # alternate the two sides
                rss, wall, out = timed([a.pot_python, runner, name, xml, data, json.dumps(params),
                                        os.path.join(tmp, "pot"), os.path.join(MODELS, "make_golden.py")])
                pot.append((rss, wall, json.loads(out.strip().splitlines()[-1])["pipeline_run_s"]))
                rss, wall, out = timed([a.swiftpot, "quantize", "--model", xml, "--data", data, "--preset", params["preset"],
                                        "--subset-size", str(params["stat_subset_size"]), "--target-device",
                                        params["target_device"], *extra, "--output-dir", os.path.join(tmp, "ours"),
                                        "--name", name, "--json"])
                ours.append((rss, wall, json.loads(out)["seconds"]))
                print(f"{name} run {r + 1}/{a.runs}: POT {pot[-1][0] / mib:.0f} MiB, SwiftPOT {ours[-1][0] / mib:.0f} MiB",
                      file=sys.stderr)
            med = lambda xs, k: statistics.median(x[k] for x in xs)
            rows.append((name, params["stat_subset_size"], med(pot, 0), med(ours, 0), med(pot, 1), med(pot, 2),
                         med(ours, 1), med(ours, 2)))
    print(f"peak RSS (/usr/bin/time -v), median of {a.runs} run(s) per side")
    print("| model | samples | POT peak RSS MiB | SwiftPOT peak RSS MiB | SwiftPOT / POT | POT process s (pipeline.run) "
          "| SwiftPOT process s (quantize) |")
    print("|---|---|---|---|---|---|---|")
    for name, n, pr, sr, pw, pp, sw, ss in rows:
        print(f"| {name} | {n} | {pr / mib:.0f} | {sr / mib:.0f} | {sr / pr:.2f} | {pw:.1f} ({pp:.1f}) | {sw:.1f} ({ss:.1f}) |")


if __name__ == "__main__":
    main()
