#!/usr/bin/env python3
"""Synthetic FP32 models of architectures the project was not tuned on, for speed checks.

Developer-only (needs openvino + numpy, e.g. /work/venv-ov/bin/python):
  python scripts/unseen_models.py OUTDIR        # writes OUTDIR/<name>.xml/.bin for each model below
then
  python scripts/bench_vs_openvino.py --models OUTDIR/*.xml

Models (random weights, He-scaled so activations stay O(1)):
  unet        segmentation: conv3x3+ReLU pairs, MaxPool, ConvolutionBackpropData 2x2/2 up-sampling,
              bilinear Interpolate, Concat skips, 1x1 head, Softmax over channels (1x3x128x128)
  yolo        detector: conv+BN(Multiply/Add)+Swish, CSP blocks with Concat, SPPF (MaxPool 5x5/1 x3),
              nearest Interpolate x2, heads reshaped/transposed to [1, N, 85] + Sigmoid (1x3x160x160)
  ssdlite     MobileNet-style depthwise blocks with Clamp(0,6), heads Reshape/Transpose/Concat, Softmax
              on the last axis (1x3x192x192)
  vit         patch-16 Convolution, class token Concat, position Add, 4 encoder blocks (MVN, MatMul
              with transpose_b, Split heads via Reshape/Transpose, Softmax, Gelu) (1x3x224x224)
  effnet      depthwise + squeeze-excitation (ReduceMean, 1x1 convs, Swish, Sigmoid, broadcast
              Multiply), HSwish, AvgPool, MatMul classifier (1x3x160x160)
  speech      Conv1d front end + LSTMSequence + GRUSequence + MatMul (1x80x100 features)
  densenet    dense blocks: BatchNormInference + ReLU + 1x1/3x3 convs, Concat growth, AvgPool 2x2
              transitions (1x3x128x128)
  shufflenet  channel Split, 5-D Reshape/Transpose channel shuffle, depthwise 3x3/2 + Concat (1x3x160x160)
  resnet50    ResNet-50 v1.5 (bottlenecks [3, 4, 6, 3], BN folded into conv bias, projection shortcuts,
              7x7/2 stem, MaxPool 3x3/2, ReduceMean, FC): 25.5 M weights, 102 MB (1x3x224x224)
  c3d         3-D convolutions (video): 3x3x3 16->32 + ReLU, 3x3x3/2 32->32 (1x16x8x32x32 clip)
  bert_onnx   an ONNX-export-style encoder: Gather embeddings, LayerNorm decomposed into ReduceMean/
              Subtract/Power/Sqrt/Divide, GELU as x·0.5·(1 + Erf(x/√2)), attention-mask Add (ids 1x64)
Only ops of opset <= 11 semantics (plus opset5 LSTM/GRUSequence, opset4 Swish/HSwish, opset11
Interpolate) are used; FP32 is kept on save (compress_to_fp16=False).
"""
import os
import sys

import numpy as np

RNG = np.random.default_rng(7)


def w(*shape, scale=None):
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    scale = scale if scale is not None else (2.0 / fan_in) ** 0.5
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def build(outdir):
    import openvino as ov
    import openvino.opset11 as o

    def c(a):
        return o.constant(np.asarray(a))

    def conv(h, cin, cout, k, stride=1, groups=1, pad=None, bias=True):
        p = k // 2 if pad is None else pad
        if groups == 1:
            y = o.convolution(h, c(w(cout, cin, k, k)), [stride, stride], [p, p], [p, p], [1, 1])
        else:
            y = o.group_convolution(h, c(w(groups, cout // groups, cin // groups, k, k)),
                                    [stride, stride], [p, p], [p, p], [1, 1])
        if bias:
            y = o.add(y, c(w(1, cout, 1, 1, scale=0.05)))
        return y

    def bn(h, ch):  # an un-folded BatchNorm as a converter leaves it: x * scale + shift
        h = o.multiply(h, c((1 + 0.1 * RNG.standard_normal((1, ch, 1, 1))).astype(np.float32)))
        return o.add(h, c(w(1, ch, 1, 1, scale=0.05)))

    def interp(h, scale, mode):
        attrs = dict(mode=mode, shape_calculation_mode="scales",
                     coordinate_transformation_mode="half_pixel" if mode == "linear" else "asymmetric",
                     nearest_mode="floor")
        return o.interpolate(h, c(np.array([scale, scale], np.float32)), attrs["mode"], attrs["shape_calculation_mode"],
                             axes=c(np.array([2, 3], np.int64)),
                             coordinate_transformation_mode=attrs["coordinate_transformation_mode"],
                             nearest_mode=attrs["nearest_mode"])

    def unet():
        x = o.parameter([1, 3, 128, 128], np.float32, name="image")

        def double(h, cin, cout):
            h = o.relu(conv(h, cin, cout, 3))
            return o.relu(conv(h, cout, cout, 3))

        e1 = double(x, 3, 32)
        e2 = double(o.max_pool(e1, [2, 2], [1, 1], [0, 0], [0, 0], [2, 2]).output(0), 32, 64)
        e3 = double(o.max_pool(e2, [2, 2], [1, 1], [0, 0], [0, 0], [2, 2]).output(0), 64, 128)
        u2 = o.convolution_backprop_data(e3, c(w(128, 64, 2, 2)), [2, 2], pads_begin=[0, 0], pads_end=[0, 0],
                                          dilations=[1, 1])
        d2 = double(o.concat([u2, e2], 1), 128, 64)
        u1 = o.relu(conv(interp(d2, 2.0, "linear"), 64, 32, 3))
        d1 = double(o.concat([u1, e1], 1), 64, 32)
        logits = conv(d1, 32, 4, 1)
        return [o.softmax(logits, 1)], [x]

    def yolo():
        x = o.parameter([1, 3, 160, 160], np.float32, name="images")

        def cbs(h, cin, cout, k=1, s=1):
            return o.swish(bn(conv(h, cin, cout, k, s, bias=False), cout))

        def csp(h, cin, cout, n=1):
            a = cbs(h, cin, cout // 2)
            b = cbs(h, cin, cout // 2)
            for _ in range(n):
                a = o.add(a, cbs(cbs(a, cout // 2, cout // 2), cout // 2, cout // 2, 3))
            return cbs(o.concat([a, b], 1), cout, cout)

        h = cbs(x, 3, 16, 3, 2)          # 80
        h = cbs(h, 16, 32, 3, 2)         # 40
        p3 = csp(h, 32, 32)
        h = cbs(p3, 32, 64, 3, 2)        # 20
        p4 = csp(h, 64, 64)
        h = cbs(p4, 64, 128, 3, 2)       # 10
        h = csp(h, 128, 128)
        s = cbs(h, 128, 64)
        m1 = o.max_pool(s, [1, 1], [1, 1], [2, 2], [2, 2], [5, 5]).output(0)
        m2 = o.max_pool(m1, [1, 1], [1, 1], [2, 2], [2, 2], [5, 5]).output(0)
        m3 = o.max_pool(m2, [1, 1], [1, 1], [2, 2], [2, 2], [5, 5]).output(0)
        p5 = cbs(o.concat([s, m1, m2, m3], 1), 256, 128)
        up = interp(cbs(p5, 128, 64), 2.0, "nearest")
        f4 = csp(o.concat([up, p4], 1), 128, 64)
        up = interp(cbs(f4, 64, 32), 2.0, "nearest")
        f3 = csp(o.concat([up, p3], 1), 64, 32)
        outs = []
        for f, ch, hw in ((f3, 32, 40), (f4, 64, 20), (p5, 128, 10)):
            y = conv(f, ch, 3 * 85, 1)
            y = o.reshape(y, c(np.array([1, 3, 85, hw * hw], np.int64)), False)
            y = o.transpose(y, c(np.array([0, 1, 3, 2], np.int64)))
            y = o.reshape(y, c(np.array([1, 3 * hw * hw, 85], np.int64)), False)
            outs.append(o.sigmoid(y))
        return [o.concat(outs, 1)], [x]

    def ssdlite():
        x = o.parameter([1, 3, 192, 192], np.float32, name="image")

        def relu6(h):
            return o.clamp(h, 0.0, 6.0)

        def block(h, cin, cout, s, expand=4):
            e = relu6(conv(h, cin, cin * expand, 1))
            d = relu6(conv(e, cin * expand, cin * expand, 3, s, groups=cin * expand))
            p = conv(d, cin * expand, cout, 1)
            return o.add(p, h) if s == 1 and cin == cout else p

        h = relu6(conv(x, 3, 16, 3, 2))   # 96
        h = block(h, 16, 24, 2)           # 48
        h = block(h, 24, 24, 1)
        h = block(h, 24, 32, 2)           # 24
        f1 = block(h, 32, 32, 1)
        h = block(f1, 32, 64, 2)          # 12
        h = block(h, 64, 64, 1)
        f2 = block(h, 64, 96, 1)
        f3 = block(f2, 96, 128, 2)        # 6
        locs, confs = [], []
        for f, ch, hw in ((f1, 32, 24), (f2, 96, 12), (f3, 128, 6)):
            for out, k, lst in ((4, 6, locs), (21, 6, confs)):
                y = conv(relu6(conv(f, ch, ch, 3, groups=ch)), ch, k * out, 1)
                y = o.transpose(y, c(np.array([0, 2, 3, 1], np.int64)))
                lst.append(o.reshape(y, c(np.array([1, -1, out], np.int64)), True))
        return [o.concat(locs, 1), o.softmax(o.concat(confs, 1), 2)], [x]

    def vit():
        x = o.parameter([1, 3, 224, 224], np.float32, name="pixels")
        d, heads, seq = 192, 3, 197
        h = conv(x, 3, d, 16, 16, pad=0)                               # [1,192,14,14]
        h = o.transpose(o.reshape(h, c(np.array([1, d, 196], np.int64)), False), c(np.array([0, 2, 1], np.int64)))
        h = o.concat([c(w(1, 1, d, scale=0.02)), h], 1)
        h = o.add(h, c(w(1, seq, d, scale=0.02)))

        def ln(t):
            t = o.mvn(t, c(np.array([-1], np.int64)), True, 1e-6, "inside_sqrt")
            return o.add(o.multiply(t, c(1 + w(d, scale=0.05))), c(w(d, scale=0.05)))

        def linear(t, din, dout):
            return o.add(o.matmul(t, c(w(dout, din)), False, True), c(w(dout, scale=0.02)))

        def split(t):
            t = o.reshape(t, c(np.array([1, seq, heads, d // heads], np.int64)), False)
            return o.transpose(t, c(np.array([0, 2, 1, 3], np.int64)))

        for _ in range(4):
            t = ln(h)
            q, k, v = (split(linear(t, d, d)) for _ in range(3))
            s = o.multiply(o.matmul(q, k, False, True), c(np.float32((d // heads) ** -0.5)))
            a = o.matmul(o.softmax(s, 3), v, False, False)
            a = o.reshape(o.transpose(a, c(np.array([0, 2, 1, 3], np.int64))), c(np.array([1, seq, d], np.int64)), False)
            h = o.add(h, linear(a, d, d))
            t = o.gelu(linear(ln(h), d, 4 * d), "erf")
            h = o.add(h, linear(t, 4 * d, d))
        cls = o.gather(ln(h), c(np.array([0], np.int64)), c(np.array(1, np.int64)))
        return [linear(cls, d, 1000)], [x]

    def effnet():
        x = o.parameter([1, 3, 160, 160], np.float32, name="image")

        def mbconv(h, cin, cout, s, k, expand=4, act=o.swish):
            ch = cin * expand
            e = act(bn(conv(h, cin, ch, 1, bias=False), ch))
            dw = act(bn(conv(e, ch, ch, k, s, groups=ch, bias=False), ch))
            se = o.reduce_mean(dw, c(np.array([2, 3], np.int64)), True)
            se = o.swish(conv(se, ch, max(8, cin // 4), 1))
            se = o.sigmoid(conv(se, max(8, cin // 4), ch, 1))
            p = bn(conv(o.multiply(dw, se), ch, cout, 1, bias=False), cout)
            return o.add(p, h) if s == 1 and cin == cout else p

        h = o.swish(bn(conv(x, 3, 24, 3, 2, bias=False), 24))  # 80
        h = mbconv(h, 24, 24, 1, 3, expand=1)
        h = mbconv(h, 24, 32, 2, 3)                             # 40
        h = mbconv(h, 32, 32, 1, 3)
        h = mbconv(h, 32, 48, 2, 5, act=o.hswish)               # 20
        h = mbconv(h, 48, 48, 1, 5, act=o.hswish)
        h = mbconv(h, 48, 96, 2, 3)                             # 10
        h = mbconv(h, 96, 96, 1, 3)
        h = mbconv(h, 96, 136, 1, 5)
        h = mbconv(h, 136, 232, 2, 5)                           # 5
        h = o.swish(bn(conv(h, 232, 640, 1, bias=False), 640))
        h = o.avg_pool(h, [5, 5], [0, 0], [0, 0], [5, 5], True).output(0)
        h = o.reshape(h, c(np.array([1, 640], np.int64)), False)
        return [o.add(o.matmul(h, c(w(1000, 640)), False, True), c(w(1000, scale=0.02)))], [x]

    def speech():
        import openvino.opset5 as o5
        x = o.parameter([1, 80, 100], np.float32, name="features")
        h = o.relu(o.add(o.convolution(x, c(w(128, 80, 5)), [2], [2], [2], [1]), c(w(1, 128, 1, scale=0.05))))  # [1,128,50]
        h = o.transpose(h, c(np.array([0, 2, 1], np.int64)))                                                   # [1,50,128]
        hs, t = 96, 50
        lens = c(np.array([t], np.int32))
        lstm = o5.lstm_sequence(h, c(np.zeros((1, 1, hs), np.float32)), c(np.zeros((1, 1, hs), np.float32)), lens,
                                c(w(1, 4 * hs, 128)), c(w(1, 4 * hs, hs)), c(w(1, 4 * hs, scale=0.05)), hs, "forward")
        y = o.reshape(lstm.output(0), c(np.array([1, t, hs], np.int64)), False)
        gru = o5.gru_sequence(y, c(np.zeros((1, 1, hs), np.float32)), lens, c(w(1, 3 * hs, hs)), c(w(1, 3 * hs, hs)),
                              c(w(1, 3 * hs, scale=0.05)), hs, "forward")
        y = o.reshape(gru.output(0), c(np.array([1, t, hs], np.int64)), False)
        logits = o.add(o.matmul(y, c(w(32, hs)), False, True), c(w(32, scale=0.02)))
        return [o.softmax(logits, 2)], [x]

    def densenet():
        x = o.parameter([1, 3, 128, 128], np.float32, name="image")

        def bnr(h, ch):
            h = o.batch_norm_inference(h, c(1 + w(ch, scale=0.1)), c(w(ch, scale=0.05)), c(w(ch, scale=0.05)),
                                       c((0.5 + RNG.random(ch)).astype(np.float32)), 1e-5)
            return o.relu(h)

        h = o.max_pool(o.relu(conv(x, 3, 32, 3, 2)), [2, 2], [1, 1], [0, 0], [0, 0], [2, 2]).output(0)  # 32x32
        ch = 32
        for block in range(3):
            for _ in range(4):
                y = conv(bnr(h, ch), ch, 64, 1, bias=False)
                y = conv(bnr(y, 64), 64, 16, 3, bias=False)
                h = o.concat([h, y], 1)
                ch += 16
            if block < 2:
                h = conv(bnr(h, ch), ch, ch // 2, 1, bias=False)
                ch //= 2
                h = o.avg_pool(h, [2, 2], [0, 0], [0, 0], [2, 2], True)
        h = o.reduce_mean(bnr(h, ch), c(np.array([2, 3], np.int64)), False)
        return [o.add(o.matmul(h, c(w(100, ch)), False, True), c(w(100, scale=0.02)))], [x]

    def shufflenet():
        x = o.parameter([1, 3, 160, 160], np.float32, name="image")

        def shuffle(h, ch, hw):
            h = o.reshape(h, c(np.array([1, 2, ch // 2, hw, hw], np.int64)), False)
            h = o.transpose(h, c(np.array([0, 2, 1, 3, 4], np.int64)))
            return o.reshape(h, c(np.array([1, ch, hw, hw], np.int64)), False)

        def unit(h, ch, hw, stride):
            if stride == 1:
                a, b = o.split(h, c(np.array(1, np.int64)), 2).outputs()
                half = ch // 2
                b = o.relu(conv(b, half, half, 1))
                b = conv(b, half, half, 3, groups=half)
                b = o.relu(conv(b, half, half, 1))
                return shuffle(o.concat([a, b], 1), ch, hw)
            a = conv(h, ch, ch, 3, 2, groups=ch)
            a = o.relu(conv(a, ch, ch, 1))
            b = o.relu(conv(h, ch, ch, 1))
            b = conv(b, ch, ch, 3, 2, groups=ch)
            b = o.relu(conv(b, ch, ch, 1))
            return shuffle(o.concat([a, b], 1), 2 * ch, hw // 2)

        h = o.relu(conv(x, 3, 24, 3, 2))                                          # 80
        h = o.max_pool(h, [2, 2], [1, 1], [1, 1], [1, 1], [3, 3]).output(0)      # 40
        ch, hw = 24, 40
        for stage in range(3):
            h = unit(h, ch, hw, 2)
            ch, hw = ch * 2, hw // 2
            for _ in range(3):
                h = unit(h, ch, hw, 1)
        h = o.reduce_mean(h, c(np.array([2, 3], np.int64)), False)
        return [o.matmul(h, c(w(1000, ch)), False, True)], [x]

    def bert_onnx():
        ids = o.parameter([1, 64], np.int64, name="input_ids")
        mask = o.parameter([1, 64], np.int64, name="attention_mask")
        d, heads, seq, vocab = 256, 4, 64, 8000
        h = o.gather(c(w(vocab, d, scale=0.05)), ids, c(np.array(0, np.int64)))
        h = o.add(h, c(w(1, seq, d, scale=0.02)))

        def ln(t):
            mu = o.reduce_mean(t, c(np.array([-1], np.int64)), True)
            dlt = o.subtract(t, mu)
            var = o.reduce_mean(o.power(dlt, c(np.float32(2))), c(np.array([-1], np.int64)), True)
            t = o.divide(dlt, o.sqrt(o.add(var, c(np.float32(1e-12)))))
            return o.add(o.multiply(t, c(1 + w(d, scale=0.05))), c(w(d, scale=0.05)))

        def linear(t, din, dout):
            return o.add(o.matmul(t, c(w(din, dout)), False, False), c(w(dout, scale=0.02)))

        def split(t):
            t = o.reshape(t, c(np.array([1, seq, heads, d // heads], np.int64)), False)
            return o.transpose(t, c(np.array([0, 2, 1, 3], np.int64)))

        m = o.convert(o.unsqueeze(o.unsqueeze(mask, c(np.array(1, np.int64))), c(np.array(1, np.int64))), np.float32)
        m = o.multiply(o.subtract(c(np.float32(1)), m), c(np.float32(-10000)))
        h = ln(h)
        for _ in range(4):
            q, k, v = (split(linear(h, d, d)) for _ in range(3))
            s = o.divide(o.matmul(q, o.transpose(k, c(np.array([0, 1, 3, 2], np.int64))), False, False),
                         c(np.float32((d // heads) ** 0.5)))
            a = o.matmul(o.softmax(o.add(s, m), 3), v, False, False)
            a = o.reshape(o.transpose(a, c(np.array([0, 2, 1, 3], np.int64))), c(np.array([1, seq, d], np.int64)), False)
            h = ln(o.add(h, linear(a, d, d)))
            t = linear(h, d, 4 * d)
            t = o.multiply(o.multiply(t, c(np.float32(0.5))), o.add(c(np.float32(1)), o.erf(o.divide(t, c(np.float32(2 ** 0.5))))))
            h = ln(o.add(h, linear(t, 4 * d, d)))
        return [h], [ids, mask]

    def resnet50():
        x = o.parameter([1, 3, 224, 224], np.float32, name="image")
        h = o.relu(conv(x, 3, 64, 7, 2))
        h = o.max_pool(h, [2, 2], [1, 1], [1, 1], [1, 1], [3, 3]).output(0)
        cin = 64
        for stage, (blocks, width) in enumerate(((3, 64), (4, 128), (6, 256), (3, 512))):
            for b in range(blocks):
                stride = 2 if b == 0 and stage > 0 else 1
                y = o.relu(conv(h, cin, width, 1))
                y = o.relu(conv(y, width, width, 3, stride))
                y = conv(y, width, 4 * width, 1)
                sc = conv(h, cin, 4 * width, 1, stride) if b == 0 else h
                h = o.relu(o.add(y, sc))
                cin = 4 * width
        h = o.reduce_mean(h, c(np.array([2, 3], np.int64)), False)
        return [o.add(o.matmul(h, c(w(1000, 2048)), False, True), c(w(1000, scale=0.02)))], [x]

    def c3d():
        x = o.parameter([1, 16, 8, 32, 32], np.float32, name="clip")
        h = o.relu(o.convolution(x, c(w(32, 16, 3, 3, 3)), [1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]))
        return [o.convolution(h, c(w(32, 32, 3, 3, 3)), [2, 2, 2], [1, 1, 1], [1, 1, 1], [1, 1, 1])], [x]

    os.makedirs(outdir, exist_ok=True)
    for name, fn in (("unet", unet), ("yolo", yolo), ("ssdlite", ssdlite), ("vit", vit), ("effnet", effnet),
                     ("speech", speech), ("densenet", densenet), ("shufflenet", shufflenet), ("bert_onnx", bert_onnx),
                     ("resnet50", resnet50), ("c3d", c3d)):
        outs, params = fn()
        model = ov.Model(outs, params, name)
        ov.save_model(model, os.path.join(outdir, name + ".xml"), compress_to_fp16=False)
        print(name, [tuple(p.get_partial_shape().to_shape()) for p in params], "->",
              [tuple(r.get_output_partial_shape(0).to_shape()) for r in outs])


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", nargs="?", default="unseen", help="directory for <name>.xml/.bin (default: unseen)")
    build(ap.parse_args().outdir)
