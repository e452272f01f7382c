"""Expected results of the POT API's `predict` on the digits fixture (Tests/POTTests/PredictTests.swift).

Runs fixtures/pot/digits/digits.xml with OpenVINO (CPU, INFERENCE_PRECISION_HINT=f32) on the first
SAMPLES of x.npy (sample 9 is misclassified), with intermediate nodes added as extra outputs, and writes
fixtures/pot/digits/predict_expected.json:

    samples        the dataset indices run, in order, batch_size 2 (the last batch holds one sample)
    top1           the top-1 accuracy over those samples, from OpenVINO's "probs" output
    per_sample     top-1 hit (0/1) of each sample
    stats          {node: {stat name: [{"shape": [...], "values": [...]}, one per batch]}}

Statistics are computed with numpy on the batch's stacked activations exactly as POT 2023.3 does
(`tools/pot/statistics/functions/activations.py`): per-tensor = fn over each sample's flattened
activation (shape [batch]); per-channel = fn over each channel of each sample (shape [batch, C],
channel axis 1); a per-channel statistic of a rank < 3 activation is the activation itself;
quantiles are np.quantile's default (linear). Usage:
    /work/venv-ov/bin/python scripts/make_pot_api_fixtures.py
"""
import json, os
from functools import partial
import numpy as np
import openvino as ov

here = os.path.dirname(os.path.abspath(__file__))
d = os.path.join(here, "..", "fixtures", "pot", "digits")
SAMPLES, BATCH = [0, 1, 2, 3, 4, 5, 9], 2
NODES = ["conv1/add", "relu2", "fc"]     # Add after conv1, the last Relu, the MatMul (rank 2)


def per_tensor(acts, fn):
    if acts.ndim < 2:
        return np.atleast_1d(fn(acts))
    return fn(acts.reshape(acts.shape[0], -1), axis=1)


def per_channel(acts, fn):
    if acts.ndim < 3:
        return acts
    return fn(acts.reshape(acts.shape[0], acts.shape[1], -1), axis=2)


STATS = {   # name: (per-channel?, fn) — the names used by the Swift test's stats layout
    "min": (False, np.min), "max": (False, np.max), "mean": (False, np.mean),
    "abs_max": (False, lambda a, axis: np.max(np.abs(a), axis=axis)),
    "q90": (False, partial(np.quantile, q=0.9)),
    "abs_q99": (False, lambda a, axis: np.quantile(np.abs(a), 0.99, axis=axis)),
    "min_pc": (True, np.min), "max_pc": (True, np.max), "mean_pc": (True, np.mean),
    "abs_max_pc": (True, lambda a, axis: np.max(np.abs(a), axis=axis)),
    "q10_pc": (True, partial(np.quantile, q=0.1)),
}


def main():
    core = ov.Core()
    model = core.read_model(os.path.join(d, "digits.xml"))
    by_name = {op.get_friendly_name(): op for op in model.get_ops()}
    model.add_outputs([by_name[n].output(0) for n in NODES])
    cm = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    x, y = np.load(os.path.join(d, "x.npy")), np.load(os.path.join(d, "y.npy"))
    acts = {n: [] for n in NODES}
    hits = []
    for i in SAMPLES:
        res = cm(x[i:i + 1])
        hits.append(float(int(res[0].argmax()) == int(y[i])))
        for k, n in enumerate(NODES):
            acts[n].append(np.asarray(res[k + 1], dtype=np.float32))
    stats = {n: {s: [] for s in STATS} for n in NODES}
    for b in range(0, len(SAMPLES), BATCH):
        for n in NODES:
            a = np.concatenate(acts[n][b:b + BATCH], axis=0)
            for s, (pc, fn) in STATS.items():
                v = np.asarray((per_channel if pc else per_tensor)(a, fn), dtype=np.float32)
                stats[n][s].append({"shape": list(v.shape), "values": [float(t) for t in v.ravel()]})
    out = {"samples": SAMPLES, "batch_size": BATCH, "top1": float(np.mean(hits)),
           "per_sample": hits, "stats": stats, "openvino": ov.__version__}
    with open(os.path.join(d, "predict_expected.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("top1", out["top1"], "written", os.path.join(d, "predict_expected.json"))


if __name__ == "__main__":
    main()
