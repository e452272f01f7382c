"""POT's `ignored` semantics on cascades (skip_model, per-member scope), as a golden for SwiftPOT.

    /work/venv-pot/bin/python scripts/make_pot_cascade_ignored_fixture.py      (from the repo root)

Needs openvino-dev==2023.3.0 (POT). POT's IEEngine cannot run cascades, so this calls POT's own
FakeQuantize insertion (`algorithms/quantization/fake_quantize.py` `insert_fake_quantize_nodes`, the
first step of MinMaxQuantization) on the digits cascade (fixtures/pot/digits_cascade: features → head)
and on the single digits model, for several `ignored` sections, saves the result with POT's
`save_model` and lists the FakeQuantize layers of each saved member. Writes
fixtures/pot/digits_cascade/ignored.json: [{"model": "cascade"|"single", "ignored": …,
"fake_quantize": {member: [names]}}]. Ranges are not involved (placement only).
"""
import json
import os
import tempfile

import openvino as ov
from addict import Dict
from openvino.tools.pot import load_model, save_model
from openvino.tools.pot.algorithms.quantization import fake_quantize as fqut

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASCADE = os.path.join(ROOT, "fixtures", "pot", "digits_cascade")
SINGLE = os.path.join(ROOT, "fixtures", "pot", "digits")

CASES = [
    ("cascade", None),
    ("cascade", {"features": {"skip_model": True}}),
    ("cascade", {"head": {"skip_model": True}}),
    ("cascade", {"features": {"skip_model": False, "scope": ["conv2"]}, "head": {"operations": [{"type": "MatMul"}]}}),
    ("cascade", {"scope": ["fc"]}),           # a model-wide section: POT drops it for a cascade
    ("single", None),
    ("single", {"skip_model": True}),
]


def load(kind):
    if kind == "single":
        return load_model({"model_name": "digits", "model": os.path.join(SINGLE, "digits.xml"),
                           "weights": os.path.join(SINGLE, "digits.bin")})
    return load_model({"model_name": "digits", "cascade": [
        {"name": m, "model": os.path.join(CASCADE, m + ".xml"), "weights": os.path.join(CASCADE, m + ".bin")}
        for m in ("features", "head")]})


def main():
    core = ov.Core()
    out = []
    for kind, ignored in CASES:
        model = load(kind)
        config = Dict({"target_device": "CPU", "preset": "performance", "ignored": ignored, "model_type": None})
        fqut.insert_fake_quantize_nodes(config, model)
        names = {}
        with tempfile.TemporaryDirectory() as d:
            for p in save_model(model, d, model_name="q"):
                ops = core.read_model(p["model"]).get_ops()
                names[p.get("name", "digits")] = sorted(o.get_friendly_name() for o in ops if o.get_type_name() == "FakeQuantize")
        out.append({"model": kind, "ignored": ignored, "fake_quantize": names})
        print(kind, json.dumps(ignored), json.dumps(names))
    with open(os.path.join(CASCADE, "ignored.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
