"""Dump what the real POT computed inside DefaultQuantization, so SwiftPOT's range formulas can be
checked against POT's own statistics without running any model.

    /work/venv-pot/bin/python scripts/make_pot_stats_fixtures.py [MODEL ...]     (from the repo root)

Needs openvino-dev==2023.3.0 (POT). Never needed by `swift test`: the tests read the JSON it writes,
fixtures/pot/<model>/stats.json, which holds for every FakeQuantize POT filled:
  name, kind (weights|activations), input_key (the producer POT read statistics on), input_shape,
  levels, config (mode, granularity, bits, level_low/high, signed, range_estimator),
  stats (activations: {stat name: [one array per batch]}; weights: {stat name: array}),
  ranges (input_low/high, output_low/high after fill_fq_range incl. unify_fq_scales, float64),
and the model-level: fqs_to_rescale, scaling_factor, the ActivationChannelAlignment pairs and
statistics, FastBiasCorrection's bias shifts. Hooks wrap POT functions; POT's code is not changed.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = os.path.join(ROOT, "fixtures", "models")
sys.path.insert(0, MODELS)

from openvino.tools.pot import DataLoader, IEEngine, load_model, create_pipeline  # noqa: E402
from openvino.tools.pot.algorithms.quantization.minmax import algorithm as minmax  # noqa: E402
from openvino.tools.pot.algorithms.quantization.channel_alignment import algorithm as aca  # noqa: E402
from openvino.tools.pot.algorithms.quantization.fast_bias_correction import algorithm as fbc  # noqa: E402
from openvino.tools.pot.algorithms.quantization import fake_quantize as fqut  # noqa: E402
from openvino.tools.pot.graph import node_utils as nu  # noqa: E402
from openvino.tools.pot.graph import model_utils as mu  # noqa: E402


def arr(x):
    a = np.asarray(x, dtype=np.float64)
    return {"shape": list(a.shape), "values": a.reshape(-1).tolist()}


def key_str(k):
    return "%s:%d" % k if isinstance(k, tuple) else k


def jsonable(v):
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, np.ndarray):
        return arr(v)
    return v


DUMP = {}


def hook_minmax():
    orig = minmax.MinMaxQuantization.fill_fq_range

    def fill(model, weights_stats, inputs_stats, fake_quantize_config, config):
        orig(model, weights_stats, inputs_stats, fake_quantize_config, config)
        fqs = []
        for fq in mu.get_nodes_by_type(model, ["FakeQuantize"]):
            if fq.fullname not in fake_quantize_config:
                continue
            src = fqut.get_fake_quantize_input(fq)
            is_w = src.type == "Const" or fqut.get_fake_quantize_input_value(fq) is not None
            entry = {"name": fq.fullname, "kind": "weights" if is_w else "activations", "levels": int(fq.levels),
                     "input_shape": [int(d) for d in nu.get_input_shape(fq, 0)],
                     "consumers": [{"name": n.fullname, "type": n.type} for n in nu.get_node_output(fq, 0)],
                     "config": jsonable(dict(fake_quantize_config[fq.fullname]))}
            if is_w:
                out = fqut.get_fake_quantize_first_output(fq)
                entry["input_key"] = out.fullname
                entry["stats"] = {k: arr(v) for k, v in weights_stats.get(out.fullname, {}).items()}
            else:
                key = nu.get_quantized_input_key(fq)
                entry["input_key"] = key_str(key)
                entry["stats"] = {k: [arr(b) for b in v] for k, v in inputs_stats.get(key, {}).items()}
            ins = nu.get_node_inputs(fq)
            entry["ranges"] = {n: arr(nu.get_node_value(ins[i])) for i, n in
                               enumerate(["input_low", "input_high", "output_low", "output_high"], start=1)}
            fqs.append(entry)
        DUMP["fake_quantize"] = fqs
        DUMP["fqs_to_rescale"] = list(fake_quantize_config["fqs_to_rescale"])
        DUMP["scaling_factor"] = float(fake_quantize_config["scaling_factor"])
        DUMP["unify"] = [[list(b), list(f)] for b, f in fqut.find_fqs_to_unify(model, config)]

    minmax.MinMaxQuantization.fill_fq_range = staticmethod(fill)


def hook_aca():
    orig_run = aca.ActivationChannelAlignment.run

    def run(self, model):
        stats = self._stats_collector.get_statistics_for_algorithm(self.name)
        pairs = self.find_node_pairs(model)
        DUMP["channel_alignment"] = {
            "pairs": [{"node_in": p[0].fullname, "weight_in": p[1].fullname, "bias_in": p[2].fullname if p[2] else None,
                       "node_out": p[3].fullname, "weight_out": p[4].fullname,
                       "bias_out": p[5].fullname if p[5] else None} for p in pairs],
            # POT aggregates these with the median over batches; the medians keep the fixture small.
            "median_stats": {n: {k: arr(aca.agf.median(v)) for k, v in s.items()} for n, s in stats.items()}}
        return orig_run(self, model)

    aca.ActivationChannelAlignment.run = run


def hook_fbc():
    orig = fbc.FastBiasCorrection.run
    orig_shift = fbc.FastBiasCorrection._calculate_bias_shift

    def shift(self, launcher, input_name, input_shape, op_model, fp32_inputs, fp32_outputs):
        out = orig_shift(self, launcher, input_name, input_shape, op_model, fp32_inputs, fp32_outputs)
        DUMP.setdefault("fbc_shifts", []).append({"input": key_str(input_name), "input_shape": [int(d) for d in input_shape],
                                                  "fp32_inputs": arr(fp32_inputs), "fp32_outputs": arr(fp32_outputs),
                                                  "bias_shift": arr(out)})
        return out

    fbc.FastBiasCorrection._calculate_bias_shift = shift

    def run(self, model):
        before = {n.fullname: np.array(nu.get_node_value(n), np.float64) for n in mu.get_nodes_by_type(model, ["Const"])}
        out = orig(self, model)
        shifts = {}
        for n in mu.get_nodes_by_type(out, ["Const"]):
            if n.fullname in before:
                after = np.array(nu.get_node_value(n), np.float64)
                if after.shape == before[n.fullname].shape and not np.array_equal(after, before[n.fullname]):
                    users = [u.fullname for u in nu.get_node_output(n, 0)]
                    shifts[n.fullname] = {"add": users[0] if users else None, "before": arr(before[n.fullname]),
                                          "after": arr(after)}
        DUMP["fast_bias_correction"] = shifts
        return out

    fbc.FastBiasCorrection.run = run


def main():
    import make_golden as mg
    names = sys.argv[1:] or ["face_landmark"]
    hook_minmax()
    hook_aca()
    hook_fbc()
    for name in names:
        DUMP.clear()
        spec = mg.MODELS[name]
        feeds = spec["feeds"]()
        d = os.path.join(MODELS, name)
        params = {"target_device": "CPU", "preset": "performance", "stat_subset_size": len(feeds)}
        if "model_type" in spec:
            params["model_type"] = spec["model_type"]
        if name == "palm_detection_lite":
            mg.patch_pot_fast_bias_correction()
        model = load_model({"model_name": name, "model": os.path.join(d, name + ".xml"),
                            "weights": os.path.join(d, name + ".bin")})
        pipe = create_pipeline([{"name": "DefaultQuantization", "params": params}],
                               IEEngine({"device": "CPU"}, data_loader=mg.Loader(feeds)))
        pipe.run(model)
        DUMP["model"] = name
        DUMP["params"] = params
        out_dir = os.path.join(ROOT, "fixtures", "pot", name)
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, "stats.json")
        with open(path + ".tmp", "w") as f:
            json.dump(DUMP, f, separators=(",", ":"))
        os.replace(path + ".tmp", path)
        print("%s: %d FakeQuantize, %d ACA pairs, %d bias shifts -> %s (%d bytes)" % (
            name, len(DUMP.get("fake_quantize", [])), len(DUMP.get("channel_alignment", {}).get("pairs", [])),
            len(DUMP.get("fast_bias_correction", {})), path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
