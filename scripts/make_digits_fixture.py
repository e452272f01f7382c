"""The `digits` fixture of the POT API client (docs/API.md, the client at the end of POT_API.md).

A tiny CNN classifier of the 8x8 handwritten digits of scikit-learn's `load_digits` (UCI ML hand-written
digits, 1797 images, 16 grey levels), trained here with plain numpy (mini-batch Adam, fixed seed), then
written as OpenVINO IR with OpenVINO's Python API (FP32, compress_to_fp16=False):

    fixtures/pot/digits/digits.xml/.bin   x [1,1,8,8] f32 in [0,1] -> Conv 3x3 (8) -> Relu
                                          -> Conv 3x3 stride 2 (16) -> Relu -> Reshape [1,256]
                                          -> MatMul [256,10] -> Add -> Softmax "probs" [1,10]
    fixtures/pot/digits/x.npy             f32 [N,1,8,8]: the held-out images (pixels / 16)
    fixtures/pot/digits/y.npy             i64 [N]: their labels
    fixtures/pot/digits_cascade/          the same network split into two IRs that chain by tensor
                                          name: features.xml (x -> "features" [1,16,4,4]) and
                                          head.xml ("features" -> "probs")

Data: sklearn.datasets.load_digits when scikit-learn is importable, else the CSV it ships
(`--digits-csv .../sklearn/datasets/data/digits.csv.gz`), so the script runs in the OpenVINO env:
    /work/venv-ov/bin/python scripts/make_digits_fixture.py [--digits-csv PATH]
"""
import argparse, gzip, os
import numpy as np
import openvino as ov
import openvino.opset13 as op

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "fixtures", "pot")
N_TEST = 120


def load_digits(csv_path):
    if csv_path is None:
        from sklearn.datasets import load_digits as ld
        d = ld()
        return d.data.astype(np.float32), d.target.astype(np.int64)
    with gzip.open(csv_path, "rt") as f:
        rows = np.loadtxt(f, delimiter=",")
    return rows[:, :-1].astype(np.float32), rows[:, -1].astype(np.int64)


# ---- a small numpy CNN (NCHW, im2col) ----
def im2col(x, k, stride, pad):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    cols = np.empty((n, c, k, k, oh, ow), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1), (n, oh, ow)


def col2im(dcols, shape, k, stride, pad, out_hw):
    n, c, h, w = shape
    oh, ow = out_hw
    d = dcols.reshape(n, oh, ow, c, k, k).transpose(0, 3, 4, 5, 1, 2)
    dx = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=dcols.dtype)
    for i in range(k):
        for j in range(k):
            dx[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += d[:, :, i, j]
    return dx[:, :, pad:pad + h, pad:pad + w]


def conv(x, w, b, stride, pad):
    cols, (n, oh, ow) = im2col(x, w.shape[2], stride, pad)
    y = cols @ w.reshape(w.shape[0], -1).T + b
    return y.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2), cols


def forward(p, x):
    a1, c1 = conv(x, p["w1"], p["b1"], 1, 1)
    r1 = np.maximum(a1, 0)
    a2, c2 = conv(r1, p["w2"], p["b2"], 2, 1)
    r2 = np.maximum(a2, 0)
    f = r2.reshape(len(x), -1)
    z = f @ p["w3"] + p["b3"]
    return z, (x, c1, a1, r1, c2, a2, r2, f)


def train(x, y, steps=500, lr=0.01, batch=128, seed=0):
    rng = np.random.default_rng(seed)
    p = {"w1": rng.standard_normal((8, 1, 3, 3)) * np.sqrt(2 / 9), "b1": np.zeros(8),
         "w2": rng.standard_normal((16, 8, 3, 3)) * np.sqrt(2 / 72), "b2": np.zeros(16),
         "w3": rng.standard_normal((256, 10)) * np.sqrt(1 / 256), "b3": np.zeros(10)}
    p = {k: v.astype(np.float64) for k, v in p.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v2 = {k: np.zeros_like(v) for k, v in p.items()}
    x_all, onehot_all = x.astype(np.float64), np.eye(10)[y]
    for t in range(1, steps + 1):
        pick = rng.choice(len(x_all), batch, replace=False)
        x, onehot = x_all[pick], onehot_all[pick]
        z, (xx, c1, a1, r1, c2, a2, r2, f) = forward(p, x)
        e = np.exp(z - z.max(1, keepdims=True))
        prob = e / e.sum(1, keepdims=True)
        dz = (prob - onehot) / len(x)
        g = {"w3": f.T @ dz, "b3": dz.sum(0)}
        dr2 = (dz @ p["w3"].T).reshape(r2.shape) * (a2 > 0)
        d2 = dr2.transpose(0, 2, 3, 1).reshape(-1, 16)
        g["w2"], g["b2"] = (d2.T @ c2).reshape(p["w2"].shape), d2.sum(0)
        dr1 = col2im(d2 @ p["w2"].reshape(16, -1), r1.shape, 3, 2, 1, a2.shape[2:]) * (a1 > 0)
        d1 = dr1.transpose(0, 2, 3, 1).reshape(-1, 8)
        g["w1"], g["b1"] = (d1.T @ c1).reshape(p["w1"].shape), d1.sum(0)
        for k in p:
            m[k] = 0.9 * m[k] + 0.1 * g[k]
            v2[k] = 0.999 * v2[k] + 0.001 * g[k] ** 2
            p[k] -= lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v2[k] / (1 - 0.999 ** t)) + 1e-8)
    return {k: v.astype(np.float32) for k, v in p.items()}


# ---- OpenVINO IR ----
def features_graph(p, x):
    c1 = op.convolution(x, op.constant(p["w1"]), [1, 1], [1, 1], [1, 1], [1, 1])
    c1.set_friendly_name("conv1")
    a1 = op.add(c1, op.constant(p["b1"].reshape(1, 8, 1, 1)))
    a1.set_friendly_name("conv1/add")
    r1 = op.relu(a1)
    r1.set_friendly_name("relu1")
    c2 = op.convolution(r1, op.constant(p["w2"]), [2, 2], [1, 1], [1, 1], [1, 1])
    c2.set_friendly_name("conv2")
    a2 = op.add(c2, op.constant(p["b2"].reshape(1, 16, 1, 1)))
    a2.set_friendly_name("conv2/add")
    r2 = op.relu(a2)
    r2.set_friendly_name("relu2")
    return r2


def head_graph(p, r2):
    f = op.reshape(r2, op.constant(np.array([1, 256], dtype=np.int64)), False)
    f.set_friendly_name("flatten")
    mm = op.matmul(f, op.constant(p["w3"]), False, False)
    mm.set_friendly_name("fc")
    z = op.add(mm, op.constant(p["b3"].reshape(1, 10)))
    z.set_friendly_name("fc/add")
    s = op.softmax(z, 1)
    s.set_friendly_name("probs")
    s.output(0).set_names({"probs"})
    return s


def save(outputs, params, path):
    model = ov.Model(outputs, params, os.path.splitext(os.path.basename(path))[0])
    ov.save_model(model, path, compress_to_fp16=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--digits-csv", default=None)
    args = ap.parse_args()
    data, target = load_digits(args.digits_csv)
    images = (data / 16.0).reshape(-1, 1, 8, 8).astype(np.float32)
    order = np.random.default_rng(42).permutation(len(images))
    test, tr = order[:N_TEST], order[N_TEST:]
    p = train(images[tr], target[tr])
    z, _ = forward(p, images[test].astype(np.float64))
    print("numpy test accuracy", float((z.argmax(1) == target[test]).mean()))

    d = os.path.join(root, "digits")
    os.makedirs(d, exist_ok=True)
    x = op.parameter([1, 1, 8, 8], np.float32, name="x")
    x.output(0).set_names({"x"})
    save([head_graph(p, features_graph(p, x))], [x], os.path.join(d, "digits.xml"))
    np.save(os.path.join(d, "x.npy"), images[test])
    np.save(os.path.join(d, "y.npy"), target[test].astype(np.int64))

    c = os.path.join(root, "digits_cascade")
    os.makedirs(c, exist_ok=True)
    x = op.parameter([1, 1, 8, 8], np.float32, name="x")
    x.output(0).set_names({"x"})
    r2 = features_graph(p, x)
    r2.output(0).set_names({"features"})
    save([r2], [x], os.path.join(c, "features.xml"))
    fin = op.parameter([1, 16, 4, 4], np.float32, name="features")
    fin.output(0).set_names({"features"})
    save([head_graph(p, fin)], [fin], os.path.join(c, "head.xml"))

    core = ov.Core()
    cm = core.compile_model(os.path.join(d, "digits.xml"), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    pred = [int(cm(images[i:i + 1])[0].argmax()) for i in test]
    print("OpenVINO test accuracy", float(np.mean(np.array(pred) == target[test])))


if __name__ == "__main__":
    main()
