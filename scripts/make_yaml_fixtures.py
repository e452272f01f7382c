"""PyYAML's reading of the YAML fixtures, the golden for SwiftPOT's YAML subset reader.

    /work/venv-pot/bin/python scripts/make_yaml_fixtures.py        (from the repo root)

POT reads `.yaml`/`.yml` configs with `yaml.load(f, Loader=yaml.SafeLoader)` (pot/utils/config_reader.py).
For every fixtures/yaml/*.yaml this writes <name>.json: PyYAML's result as JSON (floats marked as
{"float": x} so that 1.0 and 1 stay distinct), read by Tests/POTCoreTests/YAMLSubsetTests.swift.
"""
import glob
import json
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mark(v):
    if isinstance(v, float):
        return {"float": v}
    if isinstance(v, dict):
        return {k: mark(x) for k, x in v.items()}
    if isinstance(v, list):
        return [mark(x) for x in v]
    if v is None or isinstance(v, (bool, int, str)):
        return v
    raise TypeError("%r: PyYAML gave %s, which a config cannot hold" % (v, type(v).__name__))


for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "yaml", "*.yaml"))):
    with open(path) as f:
        data = yaml.load(f, Loader=yaml.SafeLoader)
    with open(path[:-5] + ".json", "w") as f:
        json.dump(mark(data), f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(os.path.basename(path), "->", json.dumps(mark(data))[:200])
