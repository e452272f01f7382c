#!/usr/bin/env python3
"""One-convolution IRs for kernel timing with `swiftpot benchmark` (developer-only).

  /work/venv-ov/bin/python scripts/make_conv_bench_models.py OUTDIR
  for f in OUTDIR/*.xml; do .build/release/swiftpot benchmark $f --iterations 50 --json; done

Each model is Parameter -> Convolution (or GroupConvolution) with random constant weights; the file
name gives the shape and `OUTDIR/flops.json` the FLOPs (2 per multiply-add) of each model, so that
GFLOP/s = flops / min_ms / 1e6. Shapes: resnet-18/50 stages, strided and grouped convolutions, the
7x7/2 first convolution, and deep 1x1 convolutions.
"""
import json
import os
import sys

import numpy as np
import openvino as ov
import openvino.opset1 as ops

# name: (cin, cout, hw, k, stride, pad, groups)
SHAPES = {
    "c3x3_64_56": (64, 64, 56, 3, 1, 1, 1),
    "c3x3_128_28": (128, 128, 28, 3, 1, 1, 1),
    "c3x3_256_14": (256, 256, 14, 3, 1, 1, 1),
    "c3x3_512_7": (512, 512, 7, 3, 1, 1, 1),
    "c3x3s2_64_128_56": (64, 128, 56, 3, 2, 1, 1),
    "c3x3s2_128_256_28": (128, 256, 28, 3, 2, 1, 1),
    "c3x3_32_32_96": (32, 32, 96, 3, 1, 1, 1),
    "c7x7s2_3_64_224": (3, 64, 224, 7, 2, 3, 1),
    "c1x1_256_64_56": (256, 64, 56, 1, 1, 0, 1),
    "c1x1_512_128_28": (512, 128, 28, 1, 1, 0, 1),
    "c1x1_1024_256_14": (1024, 256, 14, 1, 1, 0, 1),
    "c1x1_144_24_56": (144, 24, 56, 1, 1, 0, 1),
    "c1x1_160_96_28": (160, 96, 28, 1, 1, 0, 1),
    "c1x1s2_256_512_56": (256, 512, 56, 1, 2, 0, 1),
    "g3x3_g2_128_56": (128, 128, 56, 3, 1, 1, 2),
    "g3x3_g8_256_28": (256, 256, 28, 3, 1, 1, 8),
    # palm_detection_lite's K = 256 convolutions, face_landmark / mbv2 1x1 shapes with K <= 160
    "p1x1_256_256_12": (256, 256, 12, 1, 1, 0, 1),
    "p1x1_256_256_6": (256, 256, 6, 1, 1, 0, 1),
    "p1x1_256_128_24": (256, 128, 24, 1, 1, 0, 1),
    "p1x1_256_108_12": (256, 108, 12, 1, 1, 0, 1),
    "c1x1_24_144_56": (24, 144, 56, 1, 1, 0, 1),
    "c1x1_32_32_96": (32, 32, 96, 1, 1, 0, 1),
    "c1x1_64_64_24": (64, 64, 24, 1, 1, 0, 1),
    "c1x1_128_128_12": (128, 128, 12, 1, 1, 0, 1),
    "c1x1_96_576_14": (96, 576, 14, 1, 1, 0, 1),
    "c1x1_160_960_7": (160, 960, 7, 1, 1, 0, 1),
    "c3x3s2_3_32_224": (3, 32, 224, 3, 2, 1, 1),
    "c5x5s2_3_32_192": (3, 32, 192, 5, 2, 2, 1),
}


def build(name, cin, cout, hw, k, stride, pad, groups, outdir, rng):
    x = ops.parameter([1, cin, hw, hw], np.float32, name="input")
    fan_in = cin // groups * k * k
    if groups == 1:
        w = (rng.standard_normal((cout, cin, k, k)) * (2 / fan_in) ** 0.5).astype(np.float32)
        y = ops.convolution(x, ops.constant(w), [stride] * 2, [pad] * 2, [pad] * 2, [1, 1])
    else:
        w = (rng.standard_normal((groups, cout // groups, cin // groups, k, k)) * (2 / fan_in) ** 0.5).astype(np.float32)
        y = ops.group_convolution(x, ops.constant(w), [stride] * 2, [pad] * 2, [pad] * 2, [1, 1])
    model = ov.Model([ops.result(y)], [x], name)
    ov.save_model(model, os.path.join(outdir, name + ".xml"), compress_to_fp16=False)
    oh = (hw + 2 * pad - k) // stride + 1
    return 2 * cout * (cin // groups) * k * k * oh * oh


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "conv-bench"
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(0)
    flops = {n: build(n, *s, outdir, rng) for n, s in SHAPES.items()}
    with open(os.path.join(outdir, "flops.json"), "w") as f:
        json.dump(flops, f, indent=1)
    print(f"wrote {len(flops)} models to {outdir}")


if __name__ == "__main__":
    main()
