"""Placement fixtures from the real POT for models POT's goldens do not cover.

Builds small models with random (seeded) weights with OpenVINO's Python opset API, runs the real
Post-training Optimization Tool (openvino-dev 2023.3, DefaultQuantization) on a few random samples, and
writes for each case fixtures/pot/<case>/:
    <model>.xml/.bin   the FP32 IR (shared by the cases of one model; written once per model)
    fq.json            every FakeQuantize of POT's INT8 IR, in the format of fixtures/models/*/pot/fq.json
                       (name, levels, kind, producer, consumers, guards, range shapes and values), plus
                       "model" (the IR file name), "params" and "algorithm".
Cases with "samples" (the BiasCorrection cases, `use_fast_bias: false`) also write
    calib_<input>.npy  the calibration inputs POT ran on, stacked on axis 0 ([samples, *input shape
                       without its batch 1]), so the tests can run the same pipeline
    biases.json        every Convolution/GroupConvolution/MatMul followed by a bias Add with a constant:
                       the op, the Add, the bias shape and values in the FP32 model and after POT; and
                       "subgraphs": per corrected op, the layers its sub-graph is fed at and the layers it
                       records for the next ones (POT's BiasCorrection._fill_subgraphs_data, hooked)
Usage (POT env, e.g. /work/venv-pot/bin/python):  python scripts/make_pot_fixtures.py [CASE ...]
"""
import json, os, sys, tempfile
import numpy as np
import openvino as ov
import openvino.runtime.opset11 as op
from openvino.tools.pot import DataLoader, IEEngine, load_model, save_model, create_pipeline

here = os.path.dirname(os.path.abspath(__file__))
out_root = os.path.join(here, "..", "fixtures", "pot")
sys.path.insert(0, os.path.join(here, "..", "fixtures", "models"))
from make_golden import fq_table  # the FakeQuantize table of the shared goldens


class Weights:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def const(self, *shape, scale=0.2, name=None):
        c = op.constant((self.rng.standard_normal(shape) * scale).astype(np.float32))
        if name:
            c.set_friendly_name(name)
        return c


def named(node, name):
    node.set_friendly_name(name)
    return node


def conv(w, x, cin, cout, k=3, stride=1, bias=True, name="conv", groups=None):
    pad = k // 2
    if groups:
        weights = w.const(groups, cout // groups, cin // groups, k, k)
        y = named(op.group_convolution(x, weights, [stride] * 2, [pad] * 2, [pad] * 2, [1, 1]), name)
    else:
        y = named(op.convolution(x, w.const(cout, cin, k, k), [stride] * 2, [pad] * 2, [pad] * 2, [1, 1]), name)
    if bias:
        y = named(op.add(y, w.const(1, cout, 1, 1, scale=0.1)), name + "/bias")
    return y


def resnet_like():
    """Conv without bias, residual blocks, depthwise conv, SE block, hswish, Concat of two branches,
    Interpolate, AvgPool, Reshape and a MatMul without transpose_b, two outputs."""
    w = Weights(1)
    x = op.parameter([1, 3, 32, 32], np.float32, name="image")
    y = named(op.relu(conv(w, x, 3, 16, bias=False, name="stem")), "stem/relu")
    y = named(op.max_pool(y, [2, 2], [1, 1], [0, 0], [0, 0], [2, 2]), "pool1").output(0)  # opset8: 2 outputs
    r = named(op.relu(conv(w, y, 16, 16, name="b1c1")), "b1c1/relu")
    r = conv(w, r, 16, 16, name="b1c2")
    y = named(op.relu(named(op.add(y, r), "b1/add")), "b1/relu")
    d = named(op.relu(conv(w, y, 16, 16, name="dw", groups=16)), "dw/relu")       # depthwise, own FQ only
    d = conv(w, d, 16, 24, k=1, name="pw")
    s = named(op.reduce_mean(d, op.constant(np.array([2, 3], np.int64)), True), "se/mean")
    s = named(op.relu(conv(w, s, 24, 8, k=1, name="se/c1")), "se/relu")
    s = named(op.sigmoid(conv(w, s, 8, 24, k=1, name="se/c2")), "se/sigmoid")
    y = named(op.multiply(d, s), "se/mul")
    h = conv(w, y, 24, 24, k=1, name="hs")
    c = named(op.clamp(named(op.add(h, op.constant(np.float32(3.0))), "hs/add3"), 0.0, 6.0), "hs/clamp")
    y = named(op.multiply(named(op.multiply(h, c), "hs/mul"), op.constant(np.float32(1 / 6))), "hs/div6")
    a = named(op.relu(conv(w, y, 24, 16, stride=2, name="ba")), "ba/relu")
    b = named(op.relu(conv(w, y, 24, 16, k=1, stride=2, name="bb")), "bb/relu")
    y = named(op.concat([a, b], 1), "cat")
    y = named(op.relu(conv(w, y, 32, 32, name="post")), "post/relu")
    up = named(op.interpolate(y, op.constant(np.array([16, 16], np.int64)), "nearest", "sizes",
                              axes=op.constant(np.array([2, 3], np.int64))), "up")
    up = named(op.relu(conv(w, up, 32, 8, k=1, name="head")), "head/relu")
    g = named(op.avg_pool(y, [8, 8], [0, 0], [0, 0], [8, 8], True), "gap")
    g = named(op.reshape(g, op.constant(np.array([1, 32], np.int64)), False), "flatten")
    logits = named(op.matmul(g, w.const(32, 10), False, False), "fc")
    logits = named(op.add(logits, w.const(1, 10, scale=0.1)), "fc/bias")
    return ov.Model([logits, up], [x], "resnet_like"), {"image": (1, 3, 32, 32)}


def transformer_block():
    """One BERT-style encoder layer on a float input: Q/K/V MatMuls (one without transpose_b), scaled
    scores + mask, Softmax, context, output projection, residual + MVN layer norm, FFN with Gelu."""
    w = Weights(2)
    S, H, NH = 16, 64, 4
    HD = H // NH
    x = op.parameter([1, S, H], np.float32, name="hidden")
    mask = op.parameter([1, 1, 1, S], np.float32, name="mask")

    def linear(inp, cin, cout, name, transpose_b=True):
        wt = w.const(cout, cin, scale=0.1) if transpose_b else w.const(cin, cout, scale=0.1)
        y = named(op.matmul(inp, wt, False, transpose_b), name)
        return named(op.add(y, w.const(cout, scale=0.05)), name + "/bias")

    def heads(t, name):
        t = named(op.reshape(t, op.constant(np.array([1, S, NH, HD], np.int64)), False), name + "/split")
        return named(op.transpose(t, op.constant(np.array([0, 2, 1, 3], np.int64))), name + "/perm")

    q = heads(linear(x, H, H, "q"), "q")
    k = heads(linear(x, H, H, "k", transpose_b=False), "k")
    v = heads(linear(x, H, H, "v"), "v")
    scores = named(op.matmul(q, k, False, True), "scores")
    scores = named(op.multiply(scores, op.constant(np.float32(1 / np.sqrt(HD)))), "scale")
    scores = named(op.add(scores, mask), "masked")
    probs = named(op.softmax(scores, -1), "probs")
    ctx = named(op.matmul(probs, v, False, False), "context")
    ctx = named(op.transpose(ctx, op.constant(np.array([0, 2, 1, 3], np.int64))), "context/perm")
    ctx = named(op.reshape(ctx, op.constant(np.array([1, S, H], np.int64)), False), "context/merge")
    attn = linear(ctx, H, H, "attn_out")

    def layer_norm(t, name):
        n = named(op.mvn(t, op.constant(np.array([-1], np.int64)), True, 1e-12, "inside_sqrt"), name)
        n = named(op.multiply(n, w.const(H, scale=0.1)), name + "/gamma")
        return named(op.add(n, w.const(H, scale=0.1)), name + "/beta")

    y = layer_norm(named(op.add(attn, x), "attn/residual"), "ln1")
    f = named(op.gelu(linear(y, H, 4 * H, "ffn_in"), "erf"), "gelu")
    f = linear(f, 4 * H, H, "ffn_out")
    y = layer_norm(named(op.add(f, y), "ffn/residual"), "ln2")
    return ov.Model([y], [x, mask], "transformer_block"), {"hidden": (1, S, H), "mask": (1, 1, 1, S)}


def mlp_tokens():
    """Token-wise MLP on [1, 16, 32]: MatMul (transpose_b) + [1, 1, 64] bias, Relu, a branch into two
    MatMuls (one without transpose_b) with [1, 1, C] biases, Add; biases shaped as POT's BiasCorrection
    wants them for MatMul (channels on the last axis)."""
    w = Weights(3)
    x = op.parameter([1, 16, 32], np.float32, name="tokens")
    h = named(op.matmul(x, w.const(64, 32, scale=0.2), False, True), "fc1")
    h = named(op.relu(named(op.add(h, w.const(1, 1, 64, scale=0.1)), "fc1/bias")), "fc1/relu")
    a = named(op.matmul(h, w.const(32, 64, scale=0.15), False, True), "fc2a")
    a = named(op.add(a, w.const(1, 1, 32, scale=0.1)), "fc2a/bias")
    b = named(op.matmul(h, w.const(64, 32, scale=0.15), False, False), "fc2b")
    b = named(op.add(b, w.const(1, 1, 32, scale=0.1)), "fc2b/bias")
    y = named(op.relu(named(op.add(a, b), "merge")), "merge/relu")
    y = named(op.matmul(y, w.const(8, 32, scale=0.2), False, True), "head")
    y = named(op.add(y, w.const(1, 1, 8, scale=0.1)), "head/bias")
    return ov.Model([y], [x], "mlp_tokens"), {"tokens": (1, 16, 32)}


MODELS = {"resnet_like": resnet_like, "transformer_block": transformer_block, "mlp_tokens": mlp_tokens}
CASES = {
    "resnet_like_performance": ("resnet_like", {"preset": "performance"}),
    "resnet_like_mixed": ("resnet_like", {"preset": "mixed"}),
    "resnet_like_accuracy_ignored": ("resnet_like", {"preset": "accuracy", "ignored": {"scope": ["b1/add"]}}),
    "resnet_like_fp16": ("resnet_like", {"preset": "performance", "compress_to_fp16": True}),
    "transformer_block": ("transformer_block", {"preset": "performance", "model_type": "transformer"}),
    "transformer_block_plain": ("transformer_block", {"preset": "performance"}),
    "transformer_block_mixed": ("transformer_block", {"preset": "mixed", "model_type": "transformer"}),
    # BiasCorrection (POT's algorithms/quantization/bias_correction): 10 samples, so its own sampler
    # takes max(int(0.2 * 10), 1) = 2 of them.
    "resnet_like_bias_correction": ("resnet_like", {"preset": "performance", "use_fast_bias": False,
                                                    "stat_subset_size": 10, "samples": 10}),
    "transformer_block_bias_correction": ("transformer_block", {"preset": "performance", "model_type": "transformer",
                                                                "use_fast_bias": False, "stat_subset_size": 10,
                                                                "samples": 10}),
    "mlp_tokens_bias_correction": ("mlp_tokens", {"preset": "performance", "use_fast_bias": False,
                                                  "stat_subset_size": 10, "samples": 10}),
}


class Loader(DataLoader):
    def __init__(self, shapes, n=4, seed=0):
        super().__init__({})
        rng = np.random.default_rng(seed)
        self.items = [{k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()} for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i], 0


def bias_table(xml):
    """Every Convolution/GroupConvolution/MatMul whose only consumer is an Add with a Constant input:
    {op, add, shape, values} (POT's node_utils.get_bias_for_node)."""
    model = ov.Core().read_model(xml)
    out = []
    for node in model.get_ordered_ops():
        if node.get_type_name() not in ("Convolution", "GroupConvolution", "MatMul"):
            continue
        consumers = list(node.output(0).get_target_inputs())
        if len(consumers) != 1 or consumers[0].get_node().get_type_name() != "Add":
            continue
        add = consumers[0].get_node()
        for inp in add.inputs():
            src = inp.get_source_output().get_node()
            if src.get_type_name() == "Constant":
                v = src.get_data().astype(np.float64)
                out.append({"op": node.get_friendly_name(), "add": add.get_friendly_name(),
                            "shape": list(v.shape), "values": v.ravel().tolist()})
                break
    return out


def run(case):
    model_name, params = CASES[case]
    params = dict(params)
    compress = params.pop("compress_to_fp16", False)   # weights stored f16 (Const f16 → Convert)
    samples = params.pop("samples", None)
    model, shapes = MODELS[model_name]()
    out = os.path.join(out_root, case)
    os.makedirs(out, exist_ok=True)
    xml = os.path.join(out, model_name + ".xml")
    ov.save_model(model, xml, compress_to_fp16=compress)
    params = {"target_device": "CPU", "stat_subset_size": 4, **params}
    pot_model = load_model({"model_name": model_name, "model": xml, "weights": xml[:-4] + ".bin"})
    loader = Loader(shapes, n=samples or 4)
    subgraphs = {}
    if samples:
        from openvino.tools.pot.algorithms.quantization.bias_correction.algorithm import BiasCorrection
        fill = BiasCorrection._fill_subgraphs_data

        def recording_fill(self, model):
            data = fill(self, model)
            subgraphs.update({k: {"inputs": v["input_nodes"], "outputs": v["stats_nodes"]} for k, v in data.items()})
            return data
        BiasCorrection._fill_subgraphs_data = recording_fill
    engine = IEEngine({"device": "CPU"}, data_loader=loader)
    pipeline = create_pipeline([{"name": "DefaultQuantization", "params": params}], engine)
    q = pipeline.run(pot_model)
    with tempfile.TemporaryDirectory() as tmp:
        save_model(q, tmp, model_name + "_int8")
        fqs = fq_table(os.path.join(tmp, model_name + "_int8.xml"))
        if samples:
            before = {b["op"]: b for b in bias_table(xml)}
            after = bias_table(os.path.join(tmp, model_name + "_int8.xml"))
            for b in after:
                b["fp32_values"] = before[b["op"]]["values"] if b["op"] in before else None
            with open(os.path.join(out, "biases.json"), "w") as f:
                json.dump({"pot": "openvino-dev " + ov.__version__.split("-")[0], "params": params, "biases": after,
                           "subgraphs": subgraphs}, f, indent=1)
            for name in shapes:
                np.save(os.path.join(out, f"calib_{name}.npy"), np.concatenate([it[name] for it in loader.items], axis=0))
    info = {"model": model_name + ".xml", "pot": "openvino-dev " + ov.__version__.split("-")[0],
            "algorithm": "DefaultQuantization", "params": params, "compress_to_fp16": compress,
            "num_fake_quantize": len(fqs),
            "fake_quantize": fqs}
    with open(os.path.join(out, "fq.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(f"{case}: {len(fqs)} FakeQuantize")


if __name__ == "__main__":
    for c in (sys.argv[1:] or list(CASES)):
        run(c)
