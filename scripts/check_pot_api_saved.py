"""Developer check: cascades saved by SwiftPOT's saveModel load and run in OpenVINO.

    SWIFTPOT_SAVE_DIR=/tmp/saved swift test --filter CascadeTests/cascadeQuantizesAndSaves
    /work/venv-ov/bin/python scripts/check_pot_api_saved.py /tmp/saved      # OpenVINO 2026
    /work/venv-pot/bin/python scripts/check_pot_api_saved.py /tmp/saved     # OpenVINO 2023.3

For each `<name>_features.xml` + `<name>_head.xml` pair (POT's `<modelName>_<member>.xml` names),
compiles both members on CPU, chains them by the tensor name "features" and prints the top-1
accuracy on fixtures/pot/digits/x.npy, y.npy. Exits 1 when a cascade fails to load or run.
"""
import glob, os, sys
import numpy as np
try:
    import openvino as ov
    Core = ov.Core
except (ImportError, AttributeError):
    from openvino.runtime import Core

here = os.path.dirname(os.path.abspath(__file__))
digits = os.path.join(here, "..", "fixtures", "pot", "digits")


def main(folder):
    x, y = np.load(os.path.join(digits, "x.npy")), np.load(os.path.join(digits, "y.npy"))
    core = Core()
    pairs = sorted(p[:-len("_features.xml")] for p in glob.glob(os.path.join(folder, "*_features.xml")))
    if not pairs:
        print("no *_features.xml in", folder)
        return 1
    for stem in pairs:
        feat = core.compile_model(stem + "_features.xml", "CPU")
        head = core.compile_model(stem + "_head.xml", "CPU")
        hits = 0
        for i in range(len(y)):
            f = feat(x[i:i + 1])[feat.output("features")]
            p = head({"features": f})[head.output(0)]
            hits += int(np.argmax(p) == y[i])
        print(f"{os.path.basename(stem)}: loads and runs; top1 {hits / len(y):.4f} ({len(y)} samples)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out"))
