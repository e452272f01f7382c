#!/usr/bin/env python3
"""A second batch of synthetic FP32 models of architectures the kernels were not tuned on (speed and
coverage checks: which nodes fall back to reference kernels, which run slowly against OpenVINO).

Developer-only (needs openvino + numpy, e.g. /work/venv-ov/bin/python):
  python scripts/unseen_models_more.py OUTDIR    # writes OUTDIR/<name>.xml/.bin for each model below
then
  python scripts/bench_vs_openvino.py --models OUTDIR/*.xml

Models (random weights, He-scaled so activations stay O(1)):
  convnext    ConvNeXt-style: 4x4/4 patchify stem, depthwise 7x7, channels-last LayerNorm (Transpose +
              MVN on the last axis), MatMul 4x expansion + Gelu(tanh), layer scale, residuals,
              2x2/2 downsampling convolutions (1x3x128x128)
  deeplab     DeepLabV3-style: small strided backbone, ASPP with dilated 3x3 convolutions (dilation
              6/12/18) and an image-pooling branch (ReduceMean, 1x1, Broadcast back), Concat, 1x1,
              bilinear Interpolate x8 (1x3x160x160)
  inception   Inception-style blocks: 1x1 / 1x7+7x1 asymmetric / 3x3 double branches, AvgPool 3x3/1
              (exclude-pad) + 1x1 branch, Concat; stem with MaxPool 3x3/2 (1x3x160x160)
  espcn       super-resolution: 5x5 / 3x3 convolutions + Tanh, DepthToSpace x3 (1x1x120x120)
  style       fast style transfer: reflect Pad, 9x9 convolution, instance norm (MVN over H, W + affine),
              residual blocks, nearest Interpolate x2 + convolution up-sampling, Sigmoid (1x3x128x128)
  mnv3        MobileNetV3-style: HSwish, squeeze-excitation (ReduceMean, 1x1, ReLU, HSigmoid, Multiply),
              5x5 depthwise, MatMul head (1x3x160x160)
  wav2vec     1-D convolutional feature encoder (kernel 10/5, 3/2, 2/2), GroupNorm as Reshape + MVN,
              Gelu(erf), then 2 Transformer layers over the frames (1x1x16000 waveform)
Only ops of opset <= 11 semantics are used (plus opset7 Gelu, opset4 HSwish); FP32 is kept on save.
"""
import os

import numpy as np

RNG = np.random.default_rng(11)


def w(*shape, scale=None):
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    scale = scale if scale is not None else (2.0 / fan_in) ** 0.5
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def build(outdir):
    import openvino as ov
    import openvino.opset11 as o

    def c(a):
        return o.constant(np.asarray(a))

    def i64(*v):
        return c(np.array(v, np.int64))

    def conv(h, cin, cout, k, stride=1, groups=1, pad=None, bias=True, dil=1):
        kh, kw = (k, k) if isinstance(k, int) else k
        ph, pw = ((kh // 2) * dil, (kw // 2) * dil) if pad is None else (pad, pad)
        if groups == 1:
            y = o.convolution(h, c(w(cout, cin, kh, kw)), [stride, stride], [ph, pw], [ph, pw], [dil, dil])
        else:
            y = o.group_convolution(h, c(w(groups, cout // groups, cin // groups, kh, kw)),
                                    [stride, stride], [ph, pw], [ph, pw], [dil, dil])
        if bias:
            y = o.add(y, c(w(1, cout, 1, 1, scale=0.05)))
        return y

    def conv1d(h, cin, cout, k, stride, bias=True):
        y = o.convolution(h, c(w(cout, cin, k)), [stride], [0], [0], [1])
        return o.add(y, c(w(1, cout, 1, scale=0.05))) if bias else y

    def affine(h, ch, rank=4):
        shape = (1, ch) + (1,) * (rank - 2)
        return o.add(o.multiply(h, c((1 + 0.1 * RNG.standard_normal(shape)).astype(np.float32))),
                     c(w(*shape, scale=0.05)))

    def convnext():
        x = o.parameter([1, 3, 128, 128], np.float32, name="image")
        h = conv(x, 3, 48, 4, 4, pad=0)                                          # 32x32

        def ln_last(t, d):
            t = o.mvn(t, i64(-1), True, 1e-6, "inside_sqrt")
            return o.add(o.multiply(t, c(1 + w(d, scale=0.05))), c(w(d, scale=0.05)))

        def block(h, d, hw):
            y = conv(h, d, d, 7, groups=d)
            y = o.transpose(y, i64(0, 2, 3, 1))                                  # NHWC
            y = ln_last(y, d)
            y = o.add(o.matmul(y, c(w(4 * d, d)), False, True), c(w(4 * d, scale=0.02)))
            y = o.gelu(y, "tanh")
            y = o.add(o.matmul(y, c(w(d, 4 * d)), False, True), c(w(d, scale=0.02)))
            y = o.multiply(y, c(np.full(d, 0.1, np.float32)))                  # layer scale
            return o.add(h, o.transpose(y, i64(0, 3, 1, 2)))

        d, hw = 48, 32
        for stage, (n, dout) in enumerate(((2, 48), (2, 96), (4, 192))):
            if stage > 0:
                t = o.transpose(h, i64(0, 2, 3, 1))
                h = o.transpose(ln_last(t, d), i64(0, 3, 1, 2))
                h = conv(h, d, dout, 2, 2, pad=0)
                d, hw = dout, hw // 2
            for _ in range(n):
                h = block(h, d, hw)
        h = o.reduce_mean(h, i64(2, 3), False)
        return [o.add(o.matmul(h, c(w(1000, d)), False, True), c(w(1000, scale=0.02)))], [x]

    def deeplab():
        x = o.parameter([1, 3, 160, 160], np.float32, name="image")
        h = o.relu(conv(x, 3, 32, 3, 2))               # 80
        h = o.relu(conv(h, 32, 64, 3, 2))              # 40
        h = o.relu(conv(h, 64, 64, 3))
        h = o.relu(conv(h, 64, 128, 3, 2))             # 20
        h = o.relu(conv(h, 128, 128, 3, dil=2))
        branches = [o.relu(conv(h, 128, 64, 1))]
        for d in (6, 12, 18):
            branches.append(o.relu(conv(h, 128, 64, 3, dil=d)))
        pooled = o.relu(conv(o.reduce_mean(h, i64(2, 3), True), 128, 64, 1))
        branches.append(o.broadcast(pooled, i64(1, 64, 20, 20)))
        y = o.relu(conv(o.concat(branches, 1), 320, 64, 1))
        y = conv(y, 64, 21, 1)
        y = o.interpolate(y, c(np.array([8.0, 8.0], np.float32)), "linear", "scales", axes=i64(2, 3),
                          coordinate_transformation_mode="half_pixel")
        return [y], [x]

    def inception():
        x = o.parameter([1, 3, 160, 160], np.float32, name="image")
        h = o.relu(conv(x, 3, 32, 3, 2))                                         # 80
        h = o.relu(conv(h, 32, 64, 3))
        h = o.max_pool(h, [2, 2], [1, 1], [0, 0], [0, 0], [3, 3]).output(0)     # 39
        h = o.relu(conv(h, 64, 96, 1))

        def block(h, cin, b):
            b1 = o.relu(conv(h, cin, b, 1))
            b2 = o.relu(conv(h, cin, b // 2, 1))
            b2 = o.relu(conv(b2, b // 2, b // 2, (1, 7)))
            b2 = o.relu(conv(b2, b // 2, b, (7, 1)))
            b3 = o.relu(conv(h, cin, b // 2, 1))
            b3 = o.relu(conv(b3, b // 2, b, 3))
            b3 = o.relu(conv(b3, b, b, 3))
            b4 = o.avg_pool(h, [1, 1], [1, 1], [1, 1], [3, 3], True)
            b4 = o.relu(conv(b4, cin, b, 1))
            return o.concat([b1, b2, b3, b4], 1), 4 * b

        h, ch = block(h, 96, 32)
        h, ch = block(h, ch, 32)
        h = o.relu(conv(h, ch, 192, 3, 2))                                      # 20
        h, ch = block(h, 192, 48)
        h, ch = block(h, ch, 48)
        h = o.reduce_mean(h, i64(2, 3), False)
        return [o.add(o.matmul(h, c(w(1000, ch)), False, True), c(w(1000, scale=0.02)))], [x]

    def espcn():
        x = o.parameter([1, 1, 120, 120], np.float32, name="luma")
        h = o.tanh(conv(x, 1, 64, 5))
        h = o.tanh(conv(h, 64, 32, 3))
        h = conv(h, 32, 9, 3)
        return [o.depth_to_space(h, "depth_first", 3)], [x]

    def style():
        x = o.parameter([1, 3, 128, 128], np.float32, name="image")

        def rpad(h, p):
            return o.pad(h, i64(0, 0, p, p), i64(0, 0, p, p), "reflect")

        def inorm(h, ch):
            return affine(o.mvn(h, i64(2, 3), True, 1e-5, "inside_sqrt"), ch)

        def cl(h, cin, cout, k, s=1):
            return conv(rpad(h, k // 2), cin, cout, k, s, pad=0)

        h = o.relu(inorm(cl(x, 3, 32, 9), 32))
        h = o.relu(inorm(cl(h, 32, 64, 3, 2), 64))                               # 64
        h = o.relu(inorm(cl(h, 64, 128, 3, 2), 128))                             # 32
        for _ in range(3):
            y = o.relu(inorm(cl(h, 128, 128, 3), 128))
            h = o.add(h, inorm(cl(y, 128, 128, 3), 128))
        for cin, cout in ((128, 64), (64, 32)):
            h = o.interpolate(h, c(np.array([2.0, 2.0], np.float32)), "nearest", "scales", axes=i64(2, 3),
                              coordinate_transformation_mode="asymmetric", nearest_mode="floor")
            h = o.relu(inorm(cl(h, cin, cout, 3), cout))
        return [o.sigmoid(cl(h, 32, 3, 9))], [x]

    def mnv3():
        x = o.parameter([1, 3, 160, 160], np.float32, name="image")

        def se(h, ch):
            s = o.reduce_mean(h, i64(2, 3), True)
            s = o.relu(conv(s, ch, max(8, ch // 4), 1))
            s = o.hsigmoid(conv(s, max(8, ch // 4), ch, 1))
            return o.multiply(h, s)

        def block(h, cin, ch, cout, k, s, use_se, act):
            e = act(affine(conv(h, cin, ch, 1, bias=False), ch))
            d = act(affine(conv(e, ch, ch, k, s, groups=ch, bias=False), ch))
            if use_se:
                d = se(d, ch)
            p = affine(conv(d, ch, cout, 1, bias=False), cout)
            return o.add(p, h) if s == 1 and cin == cout else p

        h = o.hswish(affine(conv(x, 3, 16, 3, 2, bias=False), 16))               # 80
        for cin, ch, cout, k, s, use_se, act in (
                (16, 64, 24, 3, 2, False, o.relu), (24, 72, 24, 3, 1, False, o.relu),       # 40
                (24, 72, 40, 5, 2, True, o.relu), (40, 120, 40, 5, 1, True, o.relu),        # 20
                (40, 240, 80, 3, 2, False, o.hswish), (80, 200, 80, 3, 1, False, o.hswish),  # 10
                (80, 480, 112, 3, 1, True, o.hswish), (112, 672, 160, 5, 2, True, o.hswish),  # 5
                (160, 960, 160, 5, 1, True, o.hswish)):
            h = block(h, cin, ch, cout, k, s, use_se, act)
        h = o.hswish(affine(conv(h, 160, 960, 1, bias=False), 960))
        h = o.reduce_mean(h, i64(2, 3), False)
        h = o.hswish(o.add(o.matmul(h, c(w(1280, 960)), False, True), c(w(1280, scale=0.02))))
        return [o.add(o.matmul(h, c(w(1000, 1280)), False, True), c(w(1000, scale=0.02)))], [x]

    def wav2vec():
        x = o.parameter([1, 1, 16000], np.float32, name="waveform")
        d = 128
        h = conv1d(x, 1, d, 10, 5, bias=False)                                   # 3199
        h = o.reshape(h, i64(1, 16, -1), False)                                  # GroupNorm(16 groups)
        h = o.mvn(h, i64(2), True, 1e-5, "inside_sqrt")
        h = affine(o.reshape(h, i64(1, d, 3199), False), d, 3)
        h = o.gelu(h, "erf")
        for k in (3, 3, 3, 3, 2, 2):
            h = o.gelu(conv1d(h, d, d, k, 2, bias=False), "erf")
        frames = 49
        h = o.transpose(h, i64(0, 2, 1))                                         # [1, 49, 128]
        heads = 4

        def ln(t):
            t = o.mvn(t, i64(-1), True, 1e-5, "inside_sqrt")
            return o.add(o.multiply(t, c(1 + w(d, scale=0.05))), c(w(d, scale=0.05)))

        def linear(t, din, dout):
            return o.add(o.matmul(t, c(w(dout, din)), False, True), c(w(dout, scale=0.02)))

        def split(t):
            return o.transpose(o.reshape(t, i64(1, frames, heads, d // heads), False), i64(0, 2, 1, 3))

        for _ in range(2):
            q, k, v = (split(linear(h, d, d)) for _ in range(3))
            s = o.multiply(o.matmul(q, k, False, True), c(np.float32((d // heads) ** -0.5)))
            a = o.matmul(o.softmax(s, 3), v, False, False)
            a = o.reshape(o.transpose(a, i64(0, 2, 1, 3)), i64(1, frames, d), False)
            h = ln(o.add(h, linear(a, d, d)))
            h = ln(o.add(h, linear(o.gelu(linear(h, d, 4 * d), "erf"), 4 * d, d)))
        return [h], [x]

    os.makedirs(outdir, exist_ok=True)
    for name, fn in (("convnext", convnext), ("deeplab", deeplab), ("inception", inception), ("espcn", espcn),
                     ("style", style), ("mnv3", mnv3), ("wav2vec", wav2vec)):
        outs, params = fn()
        model = ov.Model(outs, params, name)
        ov.save_model(model, os.path.join(outdir, name + ".xml"), compress_to_fp16=False)
        print(name, [tuple(p.get_partial_shape().to_shape()) for p in params], "->",
              [tuple(r.get_output_partial_shape(0).to_shape()) for r in outs])


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", nargs="?", default="unseen_more", help="directory for <name>.xml/.bin (default: unseen_more)")
    build(ap.parse_args().outdir)
