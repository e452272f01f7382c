"""BiasCorrection (DefaultQuantization with use_fast_bias: false): `swiftpot quantize` against a live POT run.

    /work/venv-pot/bin/python scripts/compare_bias_correction.py SWIFTPOT [--model face_landmark] [--samples 50]
        [--runs 1] [--ov-python /work/venv-ov/bin/python] [--params '{"saturation_fix": "no"}']

Runs the real POT (openvino-dev 2023.3) and `swiftpot quantize -c CONFIG.json` with the same model,
calibration data (the model's calib.npy, preprocessed as check_quantize.py does) and parameters
(performance preset, CPU, stat_subset_size = samples, use_fast_bias false), then reports:
  - FakeQuantize placement (consumer layer, port) and the worst relative range difference,
  - every bias constant after the correction (the Add constant after a Convolution/GroupConvolution/
    MatMul): worst absolute and relative difference, how many each tool moved,
  - peak RSS of this (POT's) process and of the swiftpot processes,
  - wall time of POT's pipeline.run and of the whole `swiftpot quantize` process (medians over --runs,
    alternating), and the ratio,
  - the cosine of each INT8 IR's outputs to the FP32 model's, mean over up to 20 samples, in OpenVINO
    2023.3 (this env) and in the --ov-python env (OpenVINO 2026.4), INFERENCE_PRECISION_HINT=f32; plus
    SwiftPOT's fast bias correction for reference.
Developer-only (the tests never run it).
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "fixtures", "models")
PREP = {"face_landmark": (1 / 255.0, 0.0), "palm_detection_lite": (1 / 127.5, -1.0)}


def fidelity(fp32, int8_list, data, n):
    """Mean cosine of all outputs of each INT8 IR to the FP32 IR's, over the first n samples."""
    import openvino as ov
    core = ov.Core()
    cfg = {"INFERENCE_PRECISION_HINT": "f32"}
    x = np.load(data)
    a = core.compile_model(core.read_model(fp32), "CPU", cfg)
    out = []
    for xml in int8_list:
        b = core.compile_model(core.read_model(xml), "CPU", cfg)
        cos = []
        for s in range(n):
            ra, rb = a(x[s:s + 1]), b(x[s:s + 1])
            u = np.concatenate([np.array(ra[o]).ravel() for o in a.outputs]).astype(np.float64)
            v = np.concatenate([np.array(rb[o]).ravel() for o in b.outputs]).astype(np.float64)
            cos.append(float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-30)))
        out.append(float(np.mean(cos)))
    return {"openvino": ov.__version__.split("-")[0], "cosine": out}


def tables(xml):
    import openvino as ov
    model = ov.Core().read_model(xml)
    fqs, biases = {}, {}
    for op in model.get_ordered_ops():
        t = op.get_type_name()
        if t == "FakeQuantize":
            consts = [op.input_value(k).get_node() for k in range(1, 5)]
            consts = [c.get_data().astype(np.float64) if c.get_type_name() == "Constant" else None for c in consts]
            for tgt in op.output(0).get_target_inputs():
                fqs[(tgt.get_node().get_friendly_name(), tgt.get_index())] = (int(op.get_attributes()["levels"]), consts)
        elif t in ("Convolution", "GroupConvolution", "MatMul"):
            cons = list(op.output(0).get_target_inputs())
            if len(cons) == 1 and cons[0].get_node().get_type_name() == "Add":
                for inp in cons[0].get_node().inputs():
                    src = inp.get_source_output().get_node()
                    if src.get_type_name() == "Constant":
                        biases[op.get_friendly_name()] = src.get_data().astype(np.float64)
                        break
    return fqs, biases


def main():
    if sys.argv[1:2] == ["--fidelity"]:
        fp32, data, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
        print(json.dumps(fidelity(fp32, sys.argv[5:], data, n)))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("swiftpot")
    ap.add_argument("--model", default="face_landmark")
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--ov-python", default="/work/venv-ov/bin/python")
    ap.add_argument("--params", default="{}", help="JSON object merged into the DefaultQuantization params "
                    "(e.g. '{\"saturation_fix\": \"no\"}')")
    args = ap.parse_args()
    from openvino.tools.pot import DataLoader, IEEngine, load_model, create_pipeline, save_model

    name = args.model
    fp32 = os.path.join(MODELS, name, name + ".xml")
    scale, shift = PREP[name]
    x = (np.load(os.path.join(MODELS, name, "calib.npy")).astype(np.float32) * scale + shift)[:args.samples]
    params = {"target_device": "CPU", "preset": "performance", "stat_subset_size": len(x), "use_fast_bias": False,
              **json.loads(args.params)}
    tmp = tempfile.mkdtemp(prefix="bc-compare-")
    data = os.path.join(tmp, "calib.npy")
    np.save(data, x)

    class Loader(DataLoader):
        def __init__(self):
            super().__init__({})

        def __len__(self):
            return len(x)

        def __getitem__(self, i):
            return x[i:i + 1], 0

    def config(p, out):
        c = {"model": {"model_name": name, "model": fp32, "weights": fp32[:-4] + ".bin"},
             "engine": {"type": "simplified", "data_source": data},
             "compression": {"target_device": "CPU", "algorithms": [{"name": "DefaultQuantization", "params": p}]}}
        path = os.path.join(tmp, out + ".json")
        json.dump(c, open(path, "w"), indent=1)
        return path

    def run_pot():
        model = load_model({"model_name": name, "model": fp32, "weights": fp32[:-4] + ".bin"})
        pipe = create_pipeline([{"name": "DefaultQuantization", "params": params}],
                               IEEngine({"device": "CPU"}, data_loader=Loader()))
        t = time.time()
        q = pipe.run(model)
        dt = time.time() - t
        return dt, save_model(q, os.path.join(tmp, "pot"), model_name=name + "_pot")[0]["model"]

    rss_ours = []

    def run_ours(p, out):
        # /usr/bin/time reports the child's own peak RSS (RUSAGE_CHILDREN would count this process's
        # pages the child had before exec).
        timer = ["/usr/bin/time", "-f", "%M", "-o", os.path.join(tmp, "rss.txt")] if os.path.exists("/usr/bin/time") else []
        t = time.time()
        r = subprocess.run(timer + [args.swiftpot, "quantize", "-c", config(p, out), "--output-dir", os.path.join(tmp, out),
                            "--name", name, "--json"], capture_output=True, text=True)
        dt = time.time() - t
        if r.returncode != 0:
            sys.exit("swiftpot failed: " + r.stderr[-2000:])
        if timer:
            rss_ours.append(int(open(os.path.join(tmp, "rss.txt")).read().split()[-1]) / 1024)
        return dt, os.path.join(tmp, out, name + ".xml"), json.loads(r.stdout)

    t_pot, t_ours = [], []
    for _ in range(args.runs):
        dt, pot_xml = run_pot()
        t_pot.append(dt)
        dt, ours_xml, report = run_ours(params, "ours")
        t_ours.append(dt)
    rss_pot = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _, fast_xml, _ = run_ours({k: v for k, v in params.items() if k != "use_fast_bias"}, "ours_fast")

    pf, pb = tables(pot_xml)
    of, ob = tables(ours_xml)
    worst = 0.0
    for k in set(pf) & set(of):
        for a, b in zip(pf[k][1], of[k][1]):
            if a is not None and b is not None:
                a2, b2 = np.broadcast_arrays(a, b)
                worst = max(worst, float(np.max(np.abs(a2 - b2)) / max(float(np.max(np.abs(a2))), 1e-6)))
    _, fb = tables(fp32)
    moved_pot = sorted(k for k in pb if k in fb and not np.array_equal(pb[k], fb[k]))
    moved_ours = sorted(k for k in ob if k in fb and not np.array_equal(ob[k], fb[k]))
    bias_abs = {k: float(np.max(np.abs(pb[k] - ob[k]))) for k in set(pb) & set(ob) if pb[k].shape == ob[k].shape}
    bias_rel = {k: float(np.max(np.abs(pb[k] - ob[k]) / np.maximum(np.abs(pb[k]), 1e-3))) for k in bias_abs}
    n = min(len(x), 20)
    fid = {"here": fidelity(fp32, [ours_xml, pot_xml, fast_xml], data, n)}
    r = subprocess.run([args.ov_python, os.path.abspath(__file__), "--fidelity", fp32, data, str(n), ours_xml, pot_xml, fast_xml],
                       capture_output=True, text=True)
    fid["ov_python"] = json.loads(r.stdout) if r.returncode == 0 else r.stderr[-500:]
    worst_bias = sorted(bias_abs, key=lambda k: -bias_abs[k])[:3]
    print(json.dumps({
        "model": name, "samples": len(x), "params": params, "dir": tmp,
        "fake_quantize": {"pot": len(pf), "ours": len(of), "same_places": set(pf) == set(of),
                          "worst_range_rel_err": worst},
        "biases": {"count": len(pb), "moved_by_pot": len(moved_pot), "moved_by_ours": len(moved_ours),
                   "same_moved": moved_pot == moved_ours,
                   "worst_abs_diff": max(bias_abs.values(), default=0.0),
                   "worst_rel_diff_floor_1e-3": max(bias_rel.values(), default=0.0),
                   "median_abs_diff": float(np.median(list(bias_abs.values()))) if bias_abs else 0.0,
                   "worst_layers": {k: {"abs": bias_abs[k], "pot_bias_absmax": float(np.max(np.abs(pb[k])))} for k in worst_bias}},
        "seconds": {"pot_pipeline_run": t_pot, "swiftpot_process": t_ours,
                    "ratio_of_medians": float(np.median(t_pot) / np.median(t_ours))},
        "peak_rss_mib": {"pot_process": rss_pot, "swiftpot_process": max(rss_ours, default=None)},
        "cosine_to_fp32 [ours BC, POT BC, ours fast BC]": fid,
    }, indent=1))


if __name__ == "__main__":
    main()
