"""Is POT's ActivationChannelAlignment function-preserving on palm_detection_lite? (It should be: it only
moves means into biases and scales between consecutive convolutions.)

    /work/venv-ov/bin/python scripts/check_aca_exactness.py        (from the repo root; OpenVINO >= 2023.3)

Applies POT's align_means / align_scales, with POT's own median channel statistics
(fixtures/pot/palm_detection_lite/stats.json, written by make_pot_stats_fixtures.py), to the FP32 model's
constants, twice: in place on the Const nodes, as POT does (4 bias Consts are each read by 4-9 of the
aligned Adds), and on a private copy of each shared bias per Add (SwiftPOT's guard). Runs both FP32 models
and the original in OpenVINO (CPU, f32) on 20 calibration samples and prints the outputs' cosine to the
original's. No quantization is involved. Results are in docs/POT_ALGORITHMS.md.
"""
import json
import os

import numpy as np
import openvino as ov
import openvino.opset8 as ops

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "fixtures", "models", "palm_detection_lite")
STATS = os.path.join(ROOT, "fixtures", "pot", "palm_detection_lite", "stats.json")
core = ov.Core()
CFG = {"INFERENCE_PRECISION_HINT": "f32"}


def values(v):
    return np.array(v["values"], np.float64).reshape(v["shape"])


def aligned_model(pairs, medians, private):
    model = core.read_model(os.path.join(MODEL, "palm_detection_lite.xml"))
    ops_by_name = {o.get_friendly_name(): o for o in model.get_ops()}
    current = {}   # Const name (or name/Add for a private copy) -> its value as the alignment rewrites it

    def value(key, node):
        return current.setdefault(key, node.get_data().astype(np.float64).copy())

    private_biases = []
    for p in pairs:
        node_in, node_out = ops_by_name[p["node_in"]], ops_by_name[p["node_out"]]
        add_in = node_out.input_value(0).get_node()
        add_out = list(node_out.output(0).get_target_inputs())[0].get_node()
        b_in_node, b_out_node = add_in.input_value(1).get_node(), add_out.input_value(1).get_node()
        w_in_node, w_out_node = node_in.input_value(1).get_node(), node_out.input_value(1).get_node()
        b_in_key = b_in_node.get_friendly_name() + ("/" + add_in.get_friendly_name() if private else "")
        b_in = value(b_in_key, b_in_node)
        w_in = value(w_in_node.get_friendly_name(), w_in_node)
        w_out = value(w_out_node.get_friendly_name(), w_out_node)
        b_out = value(b_out_node.get_friendly_name(), b_out_node)
        s = medians[add_in.get_friendly_name()]
        lo, hi = values(s["channel_range_min"]).ravel(), values(s["channel_range_max"]).ravel()
        scale, mean = hi - lo, (hi + lo) / 2
        # align_means: centre the channels, compensate in the consumer's bias
        b_in -= mean.reshape(b_in.shape)
        b_out += (w_out.sum(axis=tuple(range(2, w_out.ndim))) @ mean).reshape(b_out.shape)
        # align_scales: equalise the channel ranges, compensate in the consumer's weights
        f = scale / np.median(scale[scale > 0])
        f[scale <= 0] = 1
        f = np.clip(f, 1e-2, 1e2)
        w_in.reshape(len(f), -1)[:] /= f[:, None]
        b_in /= f.reshape(b_in.shape)
        w_out *= f.reshape((1, len(f)) + (1,) * (w_out.ndim - 2))
        if private:
            private_biases.append((add_in, b_in_key))
    for key, v in current.items():
        node = ops_by_name.get(key)
        if node is not None:
            new = ops.constant(v.astype(np.float32))
            for t in list(node.output(0).get_target_inputs()):
                t.replace_source_output(new.output(0))
    for add_in, key in private_biases:
        add_in.input(1).replace_source_output(ops.constant(current[key].astype(np.float32)).output(0))
    return model


def main():
    ca = json.load(open(STATS))["channel_alignment"]
    x = np.load(os.path.join(MODEL, "calib.npy")).astype(np.float32) * np.float32(1 / 127.5) + np.float32(-1.0)
    ref = core.compile_model(core.read_model(os.path.join(MODEL, "palm_detection_lite.xml")), "CPU", CFG)
    for private in (False, True):
        c = core.compile_model(aligned_model(ca["pairs"], ca["median_stats"], private), "CPU", CFG)
        cos, err = [], 0.0
        for s in range(20):
            a, b = ref({"input_1": x[s:s + 1]}), c({"input_1": x[s:s + 1]})
            u = np.concatenate([np.array(a[o]).ravel() for o in ref.outputs]).astype(np.float64)
            v = np.concatenate([np.array(b[o]).ravel() for o in c.outputs]).astype(np.float64)
            cos.append(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
            err = max(err, float(np.abs(u - v).max() / np.abs(u).max()))
        print("%-42s FP32 outputs' cosine to the original: mean %.6f, min %.6f; max |diff| / max |out| %.2e" % (
            "private bias copies (SwiftPOT's guard):" if private else "in place on shared Consts (POT):",
            np.mean(cos), np.min(cos), err))


if __name__ == "__main__":
    main()
