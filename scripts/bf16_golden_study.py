"""DEVELOPER-ONLY study: does bf16 statistics inference explain the shared golden's ranges?

    /work/venv-ov/bin/python scripts/bf16_golden_study.py SWIFTPOT [MODEL ...] [--modes=off,pot-statistics,openvino,every-tensor]
                                                         [--json=OUT.json] [--keep=DIR]
    /work/venv-pot/bin/python scripts/bf16_golden_study.py SWIFTPOT [MODEL ...] --ref-check

The shared POT golden (../shared/models/NAME/pot/fq.json) was made by make_golden.py on an Intel CPU
with AMX, where OpenVINO 2023.3's CPU plugin defaults to bf16 inference precision; POT's IEEngine
({"device": "CPU"}) sets no INFERENCE_PRECISION_HINT. This runs `swiftpot quantize` on each model
with the golden's params and calibration data (prepared exactly as ../shared/checks/check_quantize.py
does; with --dev-pot-exact-alignment, i.e. POT's own in-place channel alignment), once per emulation mode of the hidden developer option `--dev-emulate-bf16`
(Sources/OVInterpreter/Core/BF16Emulation.swift):
    off             f32 statistics (SwiftPOT's normal path; matches POT 2023.3 run in f32 to ~3e-5)
    pot-statistics  a static approximation: Convolution/MatMul inputs and weights, FullyConnected+bias
                    and Interpolate outputs rounded, everything else f32
    every-tensor    pot-statistics + every f32 node output (plain bf16 inference, an upper bound)
    openvino        OpenVINO's own rule applied per statistics pass to the tensors that pass observes
and compares every FakeQuantize with the golden, keyed by (consumer layer, input port):
relative error = max |ours - golden| / max |golden| over input/output low/high (check_quantize's measure).
It also compares the direction of the drift: d_golden = golden - f32 and d_emul = emul - f32 per
range value (each scaled by the quantizer's max |golden|); Pearson r, the sign agreement where the
golden drift is > 1e-3, and ||golden - emul|| / ||golden - f32|| (the fraction of the drift left).
--ref-check instead compares the golden machine's FP32 reference outputs (pot/ref_fp32_*.npy, f32 hint)
with this machine's OpenVINO. Nothing here is run by `swift test`; results are in docs/POT_ALGORITHMS.md.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import openvino as ov

MODELS = os.environ.get("SWIFTPOT_SHARED_MODELS", "/work/shared/models")
core = ov.Core()


def image(name, scale, shift):
    x = np.load(os.path.join(MODELS, name, "calib.npy")).astype(np.float32) * scale + shift
    return {"input_1": x}


def text(name):
    return {k: np.load(os.path.join(MODELS, name, "calib_%s.npy" % k)) for k in ("input_ids", "attention_mask", "token_type_ids")}


FEEDS = {
    "face_landmark": lambda: image("face_landmark", 1 / 255.0, 0.0),
    "palm_detection_lite": lambda: image("palm_detection_lite", 1 / 127.5, -1.0),
    "minilm_l2": lambda: text("minilm_l2"),
}


def fq_table(xml):
    table = {}
    for op in core.read_model(xml).get_ops():
        if op.get_type_name() != "FakeQuantize":
            continue
        consts = [op.input_value(k).get_node() for k in range(1, 5)]
        consts = [c.get_data().astype(np.float64) if c.get_type_name() == "Constant" else None for c in consts]
        src = op.input_value(0).get_node().get_type_name()
        for tgt in op.output(0).get_target_inputs():
            table[(tgt.get_node().get_friendly_name(), tgt.get_index())] = (src == "Constant", consts)
    return table


def golden_table(name):
    g = json.load(open(os.path.join(MODELS, name, "pot", "fq.json")))
    table = {}
    for fq in g["fake_quantize"]:
        consts = [np.array(fq[k]["values"], np.float64).reshape(fq[k]["shape"]) for k in
                  ("input_low", "input_high", "output_low", "output_high")]
        for c in fq["consumers"]:
            table[(c["name"], c["port"])] = (fq["kind"] == "weights", consts)
    return table, g["params"]


def quantize(sp, name, feeds, params, mode, out):
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "calib.npz" if len(feeds) > 1 else "calib.npy")
        if len(feeds) > 1:
            np.savez(data, **feeds)
        else:
            np.save(data, next(iter(feeds.values())))
        cmd = [sp, "quantize", "--model", os.path.join(MODELS, name, name + ".xml"), "--data", data,
               "--preset", params["preset"], "--subset-size", str(params["stat_subset_size"]),
               "--target-device", params["target_device"], "--output-dir", out, "--name", name,
               "--dev-emulate-bf16", mode, "--dev-pot-exact-alignment"]
        if "model_type" in params:
            cmd += ["--model-type", params["model_type"]]
        t = time.time()
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("%s %s: swiftpot quantize failed: %s" % (name, mode, r.stderr.strip()[-400:]))
        return time.time() - t, os.path.join(out, name + ".xml")


def rel_err(a, b):
    worst = 0.0
    for x, y in zip(a, b):
        if x is None or y is None:
            continue
        x2, y2 = np.broadcast_arrays(x, y)
        worst = max(worst, float(np.max(np.abs(x2 - y2)) / max(float(np.max(np.abs(x2))), 1e-6)))
    return worst


def summary(errs):
    e = np.array(errs)
    return {"n": int(e.size), "le_1e-3": int((e <= 1e-3).sum()), "le_1e-2": int((e <= 1e-2).sum()),
            "median": float(np.median(e)), "worst": float(e.max())}


def drift(gold, f32, emu, keys):
    """Signed drifts golden-f32 and emul-f32, scaled per quantizer by max|golden|."""
    dg, de = [], []
    for k in keys:
        g, f, e = gold[k][1], f32[k][1], emu[k][1]
        scale = max(max(float(np.max(np.abs(c))) for c in g), 1e-6)
        for cg, cf, ce in zip(g, f, e):
            if cf is None or ce is None:
                continue
            cg2, cf2, ce2 = np.broadcast_arrays(cg, cf, ce)
            dg.append(((cg2 - cf2) / scale).ravel())
            de.append(((ce2 - cf2) / scale).ravel())
    dg, de = np.concatenate(dg), np.concatenate(de)
    big = np.abs(dg) > 1e-3
    r = float(np.corrcoef(dg, de)[0, 1]) if dg.std() > 0 and de.std() > 0 else float("nan")
    return {"pearson_r": r, "sign_agree": float(np.mean(np.sign(dg[big]) == np.sign(de[big]))) if big.any() else None,
            "n_big": int(big.sum()), "left": float(np.linalg.norm(dg - de) / max(np.linalg.norm(dg), 1e-30))}


def ref_check(name):
    """The golden machine's FP32 reference outputs (f32 hint) against this machine's OpenVINO (f32 hint):
    if f32 inference agrees to ~1e-6, f32 arithmetic differences cannot explain 1e-2 range drifts."""
    cm = core.compile_model(core.read_model(os.path.join(MODELS, name, name + ".xml")), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    pot, worst, j = os.path.join(MODELS, name, "pot"), 0.0, 0
    while os.path.exists(os.path.join(pot, "ref_fp32_%d_0.npy" % j)):
        if name == "minilm_l2":
            feed = {k: np.load(os.path.join(pot, "in_%d_%s.npy" % (j, k))) for k in ("input_ids", "attention_mask", "token_type_ids")}
        else:
            feed = np.load(os.path.join(pot, "in_%d.npy" % j))
        r = cm(feed)
        for k, o in enumerate(cm.outputs):
            g = np.load(os.path.join(pot, "ref_fp32_%d_%d.npy" % (j, k)))
            worst = max(worst, float(np.abs(r[o] - g).max() / np.abs(g).max()))
        j += 1
    print("%s: FP32 outputs here (OpenVINO %s, f32 hint) vs the golden machine's ref_fp32 (%d samples): "
          "max |diff| / max |golden| = %.2e" % (name, ov.__version__.split("-")[0], j, worst))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = {a.split("=")[0]: (a.split("=", 1)[1] if "=" in a else True) for a in sys.argv[1:] if a.startswith("--")}
    sp, names = args[0], args[1:] or list(FEEDS)
    modes = opts.get("--modes", "off,pot-statistics,openvino,every-tensor").split(",")
    report = {}
    keep = opts.get("--keep")
    if "--ref-check" in opts:
        for name in names:
            ref_check(name)
        return
    for name in names:
        gold, params = golden_table(name)
        feeds = FEEDS[name]()
        tables, rows = {}, {}
        for mode in modes:
            out = os.path.join(keep, name, mode) if keep else tempfile.mkdtemp()
            secs, xml = quantize(sp, name, feeds, params, mode, out)
            t = fq_table(xml)
            if set(t) != set(gold):
                sys.exit("%s %s: FakeQuantize placement differs from the golden (%d vs %d)" % (name, mode, len(t), len(gold)))
            tables[mode] = t
            per = {"%s:%d" % k: rel_err(gold[k][1], t[k][1]) for k in sorted(gold)}
            act = [per["%s:%d" % k] for k in gold if not gold[k][0]]
            wts = [per["%s:%d" % k] for k in gold if gold[k][0]]
            rows[mode] = {"seconds": round(secs, 1), "all": summary(list(per.values())), "activations": summary(act),
                          "weights": summary(wts), "per_quantizer": per}
        for mode in modes:
            if mode != "off" and "off" in tables:
                rows[mode]["drift_vs_golden"] = drift(gold, tables["off"], tables[mode], sorted(gold))
        report[name] = rows
        print("\n## %s (%d FakeQuantize)\n" % (name, len(gold)))
        print("| statistics precision | subset | ≤1e-3 | ≤1e-2 | median rel err | worst | time |")
        print("|---|---|---|---|---|---|---|")
        for mode in modes:
            for part in ("all", "activations", "weights"):
                s = rows[mode][part]
                print("| %s | %s (%d) | %d | %d | %.2e | %.2e | %s |" % (
                    mode, part, s["n"], s["le_1e-3"], s["le_1e-2"], s["median"], s["worst"],
                    "%.1f s" % rows[mode]["seconds"] if part == "all" else ""))
        for mode in modes:
            d = rows[mode].get("drift_vs_golden")
            if d:
                print("\n%s: drift direction vs golden: Pearson r %.3f, sign agreement %s over %d values with |golden-f32| > 1e-3, "
                      "drift left %.2f" % (mode, d["pearson_r"], "n/a" if d["sign_agree"] is None else "%.1f%%" % (100 * d["sign_agree"]),
                                           d["n_big"], d["left"]))
        if "off" in rows and len(modes) > 1:
            worst = sorted(rows["off"]["per_quantizer"].items(), key=lambda kv: -kv[1])[:8]
            print("\nworst quantizers in f32 and the same in the other modes:")
            for k, v in worst:
                print("  %-60s %s" % (k, "  ".join("%s %.2e" % (m, rows[m]["per_quantizer"][k]) for m in modes)))
    if "--json" in opts:
        with open(opts["--json"], "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
