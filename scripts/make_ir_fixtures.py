#!/usr/bin/env python3
"""Build small OpenVINO IR fixtures that exercise the IR reader and interpreter (developer-only).

    /work/venv-ov/bin/python scripts/make_ir_fixtures.py [--out fixtures/ir] [--only SUBSTR]

Needs `openvino` (written with 2026.4.1) and `numpy` from PyPI; the tests never run this, they read
the committed output. For every fixture it writes fixtures/ir/gen_<name>/:

  model.xml, model.bin  the IR, saved with ov.save_model(..., compress_to_fp16=False), except gen_ir_v10
                        (hand-converted from a v11 file, see make_ir_v10)
  in_<i>.npy            inputs, i = the order of the IR's Parameters as OpenVINO reads them back
  ref_<j>.npy           OpenVINO CPU outputs (INFERENCE_PRECISION_HINT=f32), j = the IR's Result order
  eval_<j>.npy          only where OpenVINO's reference evaluation (Model.evaluate) differs bit-wise from
                        the CPU plugin (e.g. the CPU plugin flushes f32 denormals and -0.0 in constants)
  case.json             the conformance suite's schema (inputs/outputs, ir_op_types, ...) plus `description`
  inspect.json          what ov.Core().read_model reports: inputs/outputs (name = any_name, names,
                        element_type, shape with -1 for dynamic dims or null for a dynamic rank,
                        partial_shape), op counts by type (top level, Parameter/Const/Result included),
                        op counts inside sub-graph bodies, IR version. `swiftpot inspect --json` is
                        compared against it.

Every model is built here with the openvino Python API; the values are chosen to hit edge cases
(extremes, NaN/Inf, sub-byte packing with odd element counts).
"""
import argparse
import json
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import openvino as ov
import openvino.opset13 as op
from openvino.op import if_op, loop, tensor_iterator

CPU_CONFIG = {"INFERENCE_PRECISION_HINT": "f32"}
FIXTURES = []


def fixture(fn):
    FIXTURES.append(fn)
    return fn


# ------------------------------------------------------------------------------------------------
# Helpers: describing ports and models
# ------------------------------------------------------------------------------------------------

def type_name(t):
    return t.get_type_name()  # "f32", "boolean", "u1", ...


def dims_of(ps):
    """Shape with -1 for every dynamic (or interval) dim; None for a dynamic rank."""
    if ps.rank.is_dynamic:
        return None
    return [d.get_length() if d.is_static else -1 for d in ps]


def port_info(port):
    names = sorted(port.get_names())
    try:
        any_name = port.get_any_name()
    except RuntimeError:
        any_name = None
    ps = port.get_partial_shape()
    return {
        "name": any_name,
        "names": names,
        "element_type": type_name(port.get_element_type()),
        "shape": dims_of(ps),
        "partial_shape": str(ps),
    }


def sub_models(node):
    """Bodies of TensorIterator/Loop (one) and If (then, else)."""
    out = []
    t = node.get_type_name()
    if t in ("TensorIterator", "Loop"):
        out.append(node.get_function())
    elif t == "If":
        out += [node.get_then_body(), node.get_else_body()]
    return out


def count_ops(model, counts, body_counts, nested=False):
    for n in model.get_ordered_ops():
        (body_counts if nested else counts)[n.get_type_name()] += 1
        for b in sub_models(n):
            count_ops(b, counts, body_counts, nested=True)


def any_dynamic(model):
    for n in model.get_ordered_ops():
        for o in n.outputs():
            if o.get_partial_shape().is_dynamic:
                return True
        for b in sub_models(n):
            if any_dynamic(b):
                return True
    return False


def xml_layers(xml_text):
    """(type, version) of every <layer> in document order, bodies included."""
    return re.findall(r'<layer\b[^>]*?\btype="([^"]+)"[^>]*?\bversion="([^"]+)"', xml_text)


def xml_layer_counts(xml_text):
    """Layer counts by the IR's type names ("Const", "ReLU", "SoftMax"): (top level, inside bodies)."""
    root = ET.fromstring(xml_text)
    top, nested = Counter(), Counter()

    def walk(layers, counter):
        for layer in layers.findall("layer"):
            counter[layer.get("type")] += 1
            for tag in ("body", "then_body", "else_body"):
                for b in layer.findall(tag):
                    inner = b.find("layers")
                    if inner is not None:
                        walk(inner, nested)

    walk(root.find("layers"), top)
    return top, nested


def inspect_json(model, xml_text):
    ov_counts, ov_body_counts = Counter(), Counter()
    count_ops(model, ov_counts, ov_body_counts)
    top, nested = xml_layer_counts(xml_text)
    ir_version = int(re.search(r'<net\b[^>]*\bversion="(\d+)"', xml_text).group(1))
    return {
        "ir_version": ir_version,
        "model_name": model.get_friendly_name(),
        "inputs": [port_info(p) for p in model.inputs],
        "outputs": [port_info(p) for p in model.outputs],
        # `ops` is what `swiftpot inspect --json` must print: top-level layers by the IR's type name.
        "ops": dict(sorted(top.items())),
        "body_ops": dict(sorted(nested.items())),
        # The same counts as read_model reports them, with OpenVINO's class names ("Constant", "Relu").
        "ov_ops": dict(sorted(ov_counts.items())),
        "ov_body_ops": dict(sorted(ov_body_counts.items())),
    }


def np_dtype_name(a):
    return str(a.dtype)


# ------------------------------------------------------------------------------------------------
# Running OpenVINO and writing one fixture
# ------------------------------------------------------------------------------------------------

def run_cpu(core, model, inputs):
    compiled = core.compile_model(model, "CPU", CPU_CONFIG)
    req = compiled.create_infer_request()
    req.infer({i: ov.Tensor(np.array(a, order="C", copy=True)) for i, a in enumerate(inputs)})
    return [np.array(req.get_output_tensor(j).data, copy=True) for j in range(len(model.outputs))]


def run_reference(model, inputs, like):
    """OpenVINO's reference implementations (Model.evaluate); None when unavailable."""
    try:
        outs = [ov.Tensor(type=o.get_element_type(), shape=ov.Shape(list(r.shape)))
                for o, r in zip(model.outputs, like)]
        ok = model.evaluate(outs, [ov.Tensor(np.array(a, order="C", copy=True)) for a in inputs])
        if not ok:
            return None
        return [np.array(t.data, copy=True) for t in outs]
    except Exception:  # noqa: BLE001 - any failure means "unavailable"
        return None


def bit_equal(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def emit(out_root, name, model, inputs, description, xml_override=None, reshape_for_cpu=False,
         notes=None):
    """Save `model` (or write `xml_override` + the model's .bin), run it, write the fixture folder."""
    core = ov.Core()
    d = os.path.join(out_root, "gen_" + name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    xml_path = os.path.join(d, "model.xml")
    ov.save_model(model, xml_path, compress_to_fp16=False)
    if xml_override is not None:
        with open(xml_path) as f:
            xml_v11 = f.read()
        with open(xml_path, "w") as f:
            f.write(xml_override(xml_v11))
    with open(xml_path) as f:
        xml_text = f.read()

    ir = core.read_model(xml_path)
    assert len(ir.inputs) == len(inputs), (name, len(ir.inputs), len(inputs))
    runnable = ir
    if reshape_for_cpu:
        # The CPU plugin refuses some shapes the IR may hold (a dynamic rank): reshape a copy of the
        # read model to the inputs' shapes for the reference run only; the saved IR is unchanged.
        runnable = core.read_model(xml_path)
        runnable.reshape({p: ov.PartialShape(list(a.shape)) for p, a in zip(runnable.inputs, inputs)})
    refs = run_cpu(core, runnable, inputs)
    refs2 = run_cpu(core, runnable, inputs)
    identical = all(bit_equal(a, b) for a, b in zip(refs, refs2))
    evals = run_reference(ir, inputs, refs)
    if evals is None:
        ref_eval = "unavailable"
    elif all(bit_equal(a, b) for a, b in zip(refs, evals)):
        ref_eval = "match"
    else:
        ref_eval = "mismatch"

    for i, a in enumerate(inputs):
        np.save(os.path.join(d, "in_%d.npy" % i), a)
    for j, r in enumerate(refs):
        np.save(os.path.join(d, "ref_%d.npy" % j), r)
        if evals is not None and not bit_equal(r, evals[j]):
            np.save(os.path.join(d, "eval_%d.npy" % j), evals[j])

    versioned, seen = [], set()
    for t, v in xml_layers(xml_text):
        if t in ("Parameter", "Const", "Result"):
            continue
        key = "%s-%s" % (t, v)
        if key not in seen:
            seen.add(key)
            versioned.append(key)
    op_types = []
    for key in versioned:
        t = key.rsplit("-", 1)[0]
        if t not in op_types:
            op_types.append(t)

    def io(port, arr, file):
        info = port_info(port)
        return {
            "name": info["name"],
            "names": info["names"],
            "shape": list(arr.shape),
            "dtype": np_dtype_name(arr),
            "ir_element_type": info["element_type"],
            "file": file,
            "ir_shape": info["shape"],
            "partial_shape": info["partial_shape"],
        }

    outputs = []
    for j, (p, r) in enumerate(zip(ir.outputs, refs)):
        e = io(p, r, "ref_%d.npy" % j)
        if evals is not None and not bit_equal(r, evals[j]):
            e["eval_file"] = "eval_%d.npy" % j
        outputs.append(e)
    case = {
        "name": "gen_" + name,
        "source": "scripts/make_ir_fixtures.py (openvino %s)" % ov.__version__,
        "description": description,
        "ir_version": str(inspect_json(ir, xml_text)["ir_version"]),
        "ir_op_types": op_types,
        "ir_op_types_versioned": versioned,
        "inputs": [io(p, a, "in_%d.npy" % i) for i, (p, a) in enumerate(zip(ir.inputs, inputs))],
        "outputs": outputs,
        "cpu_runs_identical": 2 if identical else 1,
        "ov_reference_eval_vs_cpu": ref_eval,
        "reshaped_to_static": False,
        "reshaped_for_reference_run": bool(reshape_for_cpu),
        "ir_has_dynamic_dims": any_dynamic(ir),
    }
    if notes:
        case["notes"] = notes
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
        f.write("\n")
    with open(os.path.join(d, "inspect.json"), "w") as f:
        json.dump(inspect_json(ir, xml_text), f, indent=1)
        f.write("\n")
    print("gen_%-22s in=%d out=%d ops=%s eval=%s" % (name, len(inputs), len(refs), ",".join(op_types),
                                                    ref_eval))


# ------------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------------

# Values per element type: extremes, signs, NaN/Inf, sub-byte packing with odd counts.
CONST_VALUES = {
    "f64": [0.0, 1.5, -2.25, 1e300, -1e300, 1e-310, np.nan, np.inf, -np.inf, 3.141592653589793,
            1.0000000596046448],
    "f32": [0.0, -0.0, 1.5, 3.4028234663852886e38, 1e-45, np.nan, np.inf, -np.inf, 0.1],
    "f16": [0.0, -0.0, 1.5, 65504.0, 6e-8, np.nan, np.inf, -np.inf, 0.1],
    "bf16": [0.0, -0.0, 1.5, 3.3895313892515355e38, 1e-40, np.nan, np.inf, -np.inf, 0.1, 1.00390625],
    "i64": [0, 1, -1, 2**31, -2**31 - 1, 2**53 + 1, 2**63 - 1, -2**63],
    "i32": [0, 1, -1, 2**31 - 1, -2**31, 16777217],
    "i16": [0, 1, -1, 32767, -32768],
    "i8": [0, 1, -1, 127, -128],
    "u64": [0, 1, 2**32, 2**64 - 1, 2**63],
    "u32": [0, 1, 2**32 - 1, 2**31],
    "u16": [0, 1, 65535, 32768],
    "u8": [0, 1, 255, 128],
    "boolean": [0, 1, 1, 0, 1],
    "u1": [0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0],    # 11 bits: MSB-first packing, a partial second byte
    "i4": [0, 1, -1, 7, -8, 3, -5],             # 7 nibbles: low nibble first, a half-filled last byte
    "u4": [0, 1, 15, 8, 7, 3, 12],
}


def const_array(t, values):
    if t == "i64":
        return np.array(values, dtype=np.int64)
    if t == "u64":
        return np.array(values, dtype=np.uint64)
    if t in ("f64", "f32", "f16", "bf16"):
        return np.array(values, dtype=np.float64)
    return np.array(values, dtype=np.int64)


def make_const_fixture(t):
    def build(out):
        values = CONST_VALUES[t]
        n = len(values)
        c = op.constant(const_array(t, values), dtype=getattr(ov.Type, t), name="const_" + t)
        x = op.parameter([n], ov.Type.f32, name="x")
        x.output(0).set_names({"x"})
        cv = op.convert(c, "f32", name="as_f32")
        cv.output(0).set_names({"as_f32"})
        y = op.add(cv, x, name="plus_x")
        y.output(0).set_names({"plus_x"})
        m = ov.Model([cv.output(0), y.output(0)], [x], "const_" + t)
        xin = np.linspace(-1.0, 1.0, n).astype(np.float32)
        emit(out, "const_" + t, m, [xin],
             "Const of element type %s (%d values: %s) -> Convert(f32) -> output 0 (folded by the CPU "
             "plugin) and + x -> output 1. Checks the .bin decoding of %s." % (t, n, values, t))
    build.__name__ = "const_" + t
    return build


for _t in CONST_VALUES:
    fixture(make_const_fixture(_t))


@fixture
def param_types(out):
    """Parameters of f32, f16, i64, i32, u8 and boolean; outputs in native types and one f32 sum."""
    shape = [2, 3]
    specs = [("p_f32", ov.Type.f32), ("p_f16", ov.Type.f16), ("p_i64", ov.Type.i64),
             ("p_i32", ov.Type.i32), ("p_u8", ov.Type.u8), ("p_bool", ov.Type.boolean)]
    ps = {}
    for n, t in specs:
        ps[n] = op.parameter(shape, t, name=n)
        ps[n].output(0).set_names({n})
    outs = [
        op.relu(ps["p_f32"], name="relu_f32"),
        op.multiply(ps["p_f16"], op.constant(np.array(1.5, np.float16)), name="mul_f16"),
        op.add(ps["p_i64"], op.constant(np.array([10, -20, 30], np.int64)), name="add_i64"),
        op.multiply(ps["p_i32"], op.constant(np.array(-3, np.int32)), name="mul_i32"),
        op.add(ps["p_u8"], op.constant(np.array([1, 2, 3], np.uint8)), name="add_u8"),
        op.logical_not(ps["p_bool"], name="not_bool"),
    ]
    total = op.convert(ps["p_f32"], "f32")
    for n, _ in specs[1:]:
        total = op.add(total, op.convert(ps[n], "f32"))
    total.set_friendly_name("sum_f32")
    outs.append(total)
    for o in outs:
        o.output(0).set_names({o.get_friendly_name()})
    m = ov.Model([o.output(0) for o in outs], [ps[n] for n, _ in specs], "param_types")
    rng = np.random.default_rng(1)
    inputs = [
        rng.standard_normal(shape).astype(np.float32),
        np.array([[0.5, -1.25, 3.0], [65000.0, 1e-3, -0.0]], np.float16),
        np.array([[0, 1, -1], [2**31 - 11, -2**31 + 20, 123456789]], np.int64),
        np.array([[0, 1, -1], [700000, -700000, 42]], np.int32),
        np.array([[0, 1, 100], [200, 252, 7]], np.uint8),
        np.array([[True, False, True], [False, False, True]], np.bool_),
    ]
    emit(out, "param_types", m, inputs,
         "Parameters of element types f32, f16, i64, i32, u8, boolean (each [2,3]); one op per type "
         "computing in that type (Relu, Multiply f16, Add i64, Multiply i32, Add u8, LogicalNot), and "
         "the sum of all six converted to f32. The i64 results reach exactly INT32_MAX and INT32_MIN but "
         "no further, because the CPU plugin computes i64 in i32 (it wraps past that).")


@fixture
def dynamic_batch(out):
    x = op.parameter([-1, 3, 4], ov.Type.f32, name="x")
    x.output(0).set_names({"x"})
    w = op.constant(np.arange(12, dtype=np.float32).reshape(3, 4) / 10.0)
    y = op.reduce_sum(op.multiply(x, w), op.constant(np.array([2], np.int64)), keep_dims=False,
                      name="y")
    y.output(0).set_names({"y"})
    m = ov.Model([y.output(0)], [x], "dynamic_batch")
    xin = np.random.default_rng(2).standard_normal([2, 3, 4]).astype(np.float32)
    emit(out, "dynamic_batch", m, [xin],
         "Parameter x with a dynamic batch [?,3,4]; Multiply by a [3,4] constant then ReduceSum over "
         "axis 2 -> [?,3]. Run with batch 2.")


@fixture
def interval_dims(out):
    a = op.parameter([ov.Dimension(1, 10), 3], ov.Type.f32, name="a")
    a.output(0).set_names({"a"})
    b = op.parameter([ov.Dimension(2, -1), 3], ov.Type.f32, name="b")
    b.output(0).set_names({"b"})
    c = op.concat([a, b], 0, name="cat")
    s = op.softmax(op.add(c, op.constant(np.array([0.5, -0.5, 1.0], np.float32))), 1, name="soft")
    s.output(0).set_names({"soft"})
    m = ov.Model([s.output(0)], [a, b], "interval_dims")
    rng = np.random.default_rng(3)
    emit(out, "interval_dims", m,
         [rng.standard_normal([4, 3]).astype(np.float32), rng.standard_normal([2, 3]).astype(np.float32)],
         "Interval dims: a is [1..10,3], b is [2..,3] (no upper bound); Concat axis 0, Add, Softmax-8 "
         "axis 1. The IR's Parameter data shape reads '1..10,3' and '2..,3', port dims are -1.")


@fixture
def dynamic_rank(out):
    x = op.parameter(ov.PartialShape.dynamic(), ov.Type.f32, name="x")
    x.output(0).set_names({"x"})
    y = op.multiply(op.abs(x), op.constant(np.array(2.0, np.float32)), name="y")
    y.output(0).set_names({"y"})
    m = ov.Model([y.output(0)], [x], "dynamic_rank")
    xin = np.array([[-1.5, 0.0, 2.0], [3.25, -4.0, 0.5]], np.float32)
    emit(out, "dynamic_rank", m, [xin],
         "Parameter x with a dynamic rank (data shape '...', ports without dims); Abs then Multiply by "
         "a scalar 2. OpenVINO saves and reads it, but its CPU plugin refuses a dynamic-rank Parameter, "
         "so the reference was run on a copy reshaped to the input's shape [2,3].",
         reshape_for_cpu=True)


@fixture
def tensor_iterator_rnn(out):
    """A tiny RNN cell unrolled by TensorIterator: h_t = tanh(x_t W + h_{t-1} U + b)."""
    T, I, H = 4, 3, 2
    rng = np.random.default_rng(4)
    W = (rng.standard_normal([I, H]) * 0.5).astype(np.float32)
    U = (rng.standard_normal([H, H]) * 0.5).astype(np.float32)
    bias = np.array([0.1, -0.2], np.float32)
    # body
    xt = op.parameter([1, 1, I], ov.Type.f32, name="body_x")
    hp = op.parameter([1, H], ov.Type.f32, name="body_h")
    x2 = op.reshape(xt, op.constant(np.array([1, I], np.int64)), special_zero=False)
    pre = op.add(op.add(op.matmul(x2, op.constant(W), False, False),
                        op.matmul(hp, op.constant(U), False, False)), op.constant(bias))
    h = op.tanh(pre, name="body_tanh")
    h_res = op.result(h, name="body_h_out")
    h3 = op.unsqueeze(h, op.constant(np.array([1], np.int64)))
    h3_res = op.result(h3, name="body_h_seq")
    body = ov.Model([h_res, h3_res], [xt, hp], "rnn_body")
    # outer
    x = op.parameter([1, T, I], ov.Type.f32, name="x")
    x.output(0).set_names({"x"})
    h0 = op.parameter([1, H], ov.Type.f32, name="h0")
    h0.output(0).set_names({"h0"})
    ti = tensor_iterator()
    ti.set_body(body)
    ti.set_sliced_input(xt, x.output(0), 0, 1, 1, -1, 1)
    ti.set_merged_input(hp, h0.output(0), h_res.output(0))
    last = ti.get_iter_value(h_res.output(0), -1)
    seq = ti.get_concatenated_slices(h3_res.output(0), 0, 1, 1, -1, 1)
    ti.set_friendly_name("rnn")
    last.get_tensor().set_names({"h_last"})
    seq.get_tensor().set_names({"h_seq"})
    m = ov.Model([last, seq], [x, h0], "tensor_iterator_rnn")
    emit(out, "tensor_iterator_rnn", m,
         [rng.standard_normal([1, T, I]).astype(np.float32), np.array([[0.3, -0.1]], np.float32)],
         "TensorIterator (opset1) over a [1,4,3] sequence sliced along axis 1 (start 0, stride 1, "
         "part_size 1, end -1), a merged state h ([1,2]); body: Reshape, 2 MatMul, Add, Tanh, Unsqueeze. "
         "Outputs: the last h (get_iter_value -1) and all h concatenated along axis 1 -> [1,4,2].")


@fixture
def loop_accumulate(out):
    """Loop with a trip count and a body condition: acc += x * (i+1) while sum(acc) < limit."""
    # body: params (iteration index, acc, x invariant, limit invariant)
    it = op.parameter([], ov.Type.i64, name="body_iter")
    acc = op.parameter([3], ov.Type.f32, name="body_acc")
    xb = op.parameter([3], ov.Type.f32, name="body_x")
    lim = op.parameter([], ov.Type.f32, name="body_limit")
    step = op.convert(op.add(it, op.constant(np.array(1, np.int64))), "f32")
    new_acc = op.add(acc, op.multiply(xb, step), name="body_new_acc")
    cond = op.less(op.reduce_sum(new_acc, op.constant(np.array([0], np.int64)), keep_dims=False), lim)
    acc_res = op.result(new_acc, name="body_acc_out")
    cond_res = op.result(cond, name="body_cond_out")
    seq_res = op.result(op.unsqueeze(new_acc, op.constant(np.array([0], np.int64))), name="body_seq")
    body = ov.Model([acc_res, cond_res, seq_res], [it, acc, xb, lim], "loop_body")
    # outer
    x = op.parameter([3], ov.Type.f32, name="x")
    x.output(0).set_names({"x"})
    limit = op.parameter([], ov.Type.f32, name="limit")
    limit.output(0).set_names({"limit"})
    trip = op.constant(np.array(10, np.int64), name="trip_count")
    exec_cond = op.constant(np.array(True), name="exec_cond")
    lp = loop(trip.output(0), exec_cond.output(0))
    lp.set_function(body)
    lp.set_special_body_ports([0, 1])  # body param 0 = current iteration, result 1 = condition
    lp.set_merged_input(acc, op.constant(np.zeros(3, np.float32)).output(0), acc_res.output(0))
    lp.set_invariant_input(xb, x.output(0))
    lp.set_invariant_input(lim, limit.output(0))
    final = lp.get_iter_value(acc_res.output(0), -1)
    seq = lp.get_concatenated_slices(seq_res.output(0), 0, 1, 1, -1, 0)
    lp.set_friendly_name("accumulate")
    final.get_tensor().set_names({"acc_final"})
    seq.get_tensor().set_names({"acc_seq"})
    m = ov.Model([final, seq], [x, limit], "loop_accumulate")
    emit(out, "loop_accumulate", m,
         [np.array([1.0, 0.5, -0.25], np.float32), np.array(12.0, np.float32)],
         "Loop (opset5), trip count 10, execution condition true, body condition sum(acc) < limit, "
         "current_iteration port: acc += x * (i + 1). With x=[1,.5,-.25] and limit 12 the loop stops "
         "after 4 iterations (the body runs while the previous condition was true). Outputs: the final "
         "acc [3] and every iteration's acc concatenated along a new axis 0 -> [4,3] (a dynamic dim in "
         "the IR).")


def make_if_model():
    cond = op.parameter([], ov.Type.boolean, name="cond")
    cond.output(0).set_names({"cond"})
    x = op.parameter([2, 3], ov.Type.f32, name="x")
    x.output(0).set_names({"x"})
    y = op.parameter([3], ov.Type.f32, name="y")
    y.output(0).set_names({"y"})
    # then: x * 2 + y   (uses x and y)
    tx = op.parameter([2, 3], ov.Type.f32, name="then_x")
    ty = op.parameter([3], ov.Type.f32, name="then_y")
    then_out = op.result(op.add(op.multiply(tx, op.constant(np.array(2.0, np.float32))), ty),
                         name="then_out")
    then_sum = op.result(op.reduce_sum(tx, op.constant(np.array([1], np.int64)), keep_dims=False),
                         name="then_sum")
    then_body = ov.Model([then_out, then_sum], [tx, ty], "then_body")
    # else: abs(x) - 3   (uses x only)
    ex = op.parameter([2, 3], ov.Type.f32, name="else_x")
    else_out = op.result(op.subtract(op.abs(ex), op.constant(np.array(3.0, np.float32))),
                         name="else_out")
    else_sum = op.result(op.reduce_max(ex, op.constant(np.array([1], np.int64)), keep_dims=False),
                         name="else_max")
    else_body = ov.Model([else_out, else_sum], [ex], "else_body")
    node = if_op(cond.output(0))
    node.set_then_body(then_body)
    node.set_else_body(else_body)
    node.set_input(x.output(0), tx, ex)
    node.set_input(y.output(0), ty, None)
    o0 = node.set_output(then_out, else_out)
    o1 = node.set_output(then_sum, else_sum)
    node.set_friendly_name("branch")
    o0.get_tensor().set_names({"z"})
    o1.get_tensor().set_names({"r"})
    return ov.Model([o0, o1], [cond, x, y], "if_branch")


IF_X = np.array([[1.0, -2.0, 3.0], [-4.5, 5.0, -0.5]], np.float32)
IF_Y = np.array([0.25, -1.0, 10.0], np.float32)


@fixture
def if_then(out):
    emit(out, "if_then", make_if_model(), [np.array(True), IF_X, IF_Y],
         "If (opset8) with cond=true: then body computes x*2 + y and ReduceSum(x, axis 1); the else "
         "body (Abs(x) - 3, ReduceMax(x, axis 1)) does not take y. Same model as gen_if_else.")


@fixture
def if_else(out):
    emit(out, "if_else", make_if_model(), [np.array(False), IF_X, IF_Y],
         "If (opset8) with cond=false: else body computes Abs(x) - 3 and ReduceMax(x, axis 1). Same "
         "model as gen_if_then.")


@fixture
def multi_io(out):
    a = op.parameter([2, 2], ov.Type.f32, name="param_a")       # friendly name != tensor names
    a.output(0).set_names({"a", "input:0", "a,with,commas"})
    b = op.parameter([2, 2], ov.Type.f32, name="param_b")
    b.output(0).set_names({"b"})
    s = op.add(a, b, name="add_node")
    s.output(0).set_names({"sum", "sum:0", "alias_of_sum"})
    r = op.relu(s, name="relu_node")
    r.output(0).set_names({"relu"})
    p = op.multiply(r, b, name="mul_node")
    p.output(0).set_names({"prod", "z,y"})
    split = op.split(p, op.constant(np.array(1, np.int64)), 2, name="split_node")
    split.output(0).set_names({"left"})
    split.output(1).set_names({"right"})
    # outputs: an intermediate tensor that also feeds other ops (relu), a multi-output op's two
    # ports, and the sum; order differs from the graph order on purpose.
    m = ov.Model([split.output(1), r.output(0), s.output(0), split.output(0)], [b, a], "multi_io")
    rng = np.random.default_rng(5)
    emit(out, "multi_io", m,
         [rng.standard_normal([2, 2]).astype(np.float32), rng.standard_normal([2, 2]).astype(np.float32)],
         "Two inputs given in the order (b, a), friendly names differing from tensor names; a has three "
         "tensor names, one with commas ('a,with,commas' -> written as 'a\\,with\\,commas' in the "
         "names attribute); four outputs: Split's port 1, an intermediate Relu that also feeds "
         "Multiply, the Add (three names) and Split's port 0.")


def make_ir_v10(xml_v11, keep_names=True):
    """Hand-convert a v11 file into IR v10: version 10, and only what v10 knew of.

    IR v10 had the same <layers>/<edges> layout and opset names; it had no Result `output_names`
    attribute and no runtime-version rt_info. Port `names` were optional in v10 (files from the
    older Model Optimizer often lack them); when they are absent, OpenVINO derives tensor names
    from layer names ("legacy names"), which it does not do for v11.
    """
    x = xml_v11.replace('version="11"', 'version="10"', 1)
    x = re.sub(r' output_names="[^"]*"', "", x)
    x = re.sub(r"\s*<rt_info>\s*<info name=\"OpenVINO Runtime\"[^>]*/>\s*</rt_info>", "", x)
    if not keep_names:
        x = re.sub(r' names="[^"]*"', "", x)
    return x


def make_v10_source_model():
    x = op.parameter([1, 4], ov.Type.f32, name="data")
    x.output(0).set_names({"data"})
    w = op.constant(np.array([[1.0, -1.0, 0.5, 2.0], [0.0, 2.0, 1.0, -1.0], [3.0, 0.25, -2.0, 0.0],
                              [1.0, 1.0, 1.0, 1.0]], np.float32), name="weights")
    mm = op.matmul(x, w, False, False, name="fc")
    y = op.relu(op.add(mm, op.constant(np.array([[0.1, 0.2, -5.0, 0.3]], np.float32), name="bias")),
                name="out")
    y.output(0).set_names({"out"})
    halves = op.split(y, op.constant(np.array(1, np.int64), name="split_axis"), 2, name="halves")
    halves.output(0).set_names({"first_half"})
    halves.output(1).set_names({"second_half"})
    return ov.Model([y.output(0), halves.output(0), halves.output(1)], [x], "ir_v10")


V10_INPUT = np.array([[1.0, 2.0, -1.0, 0.5]], np.float32)


@fixture
def ir_v10(out):
    emit(out, "ir_v10", make_v10_source_model(), [V10_INPUT],
         "IR v10: MatMul + Add + Relu + Split(2) saved as v11 by OpenVINO and hand-edited into v10 "
         "form (net version 10, no Result output_names, no runtime rt_info; port names kept). "
         "Outputs: the Relu and both Split halves.", xml_override=make_ir_v10)


@fixture
def ir_v10_no_names(out):
    emit(out, "ir_v10_no_names", make_v10_source_model(), [V10_INPUT],
         "Same model as gen_ir_v10 in v10 form without any port `names` (as older Model Optimizer "
         "files): OpenVINO then names tensors after layers (see inspect.json: the Parameter's layer "
         "name, a single-output producer's layer name, and for a multi-output producer "
         "'<layer name>.<port index>'). A v11 file without names gets no tensor names at all.",
         xml_override=lambda t: make_ir_v10(t, keep_names=False))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "fixtures", "ir"))
    ap.add_argument("--only", default=None, help="build only fixtures whose name contains this")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    failed = []
    for fn in FIXTURES:
        if args.only and args.only not in fn.__name__:
            continue
        try:
            fn(args.out)
        except Exception as e:  # noqa: BLE001 - report every refusal, keep going
            failed.append(fn.__name__)
            print("FAILED %s: %s" % (fn.__name__, str(e).splitlines()[0] if str(e) else repr(e)),
                  file=sys.stderr)
    if failed:
        print("failed: %s" % ", ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
