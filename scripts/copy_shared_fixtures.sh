#!/usr/bin/env bash
# Copy the project's generated data from the shared folder into fixtures/ (developer-only).
#
#   scripts/copy_shared_fixtures.sh [SHARED_DIR]      # default: ../shared beside the repository
#
# What it copies (see fixtures/README.md for provenance and licenses):
#   SHARED/conformance/<case>/  -> fixtures/conformance/<case>/   model.xml, model.bin, in_*.npy, ref_*.npy, case.json
#                                  (onnx_expected_*.npy are dropped: ONNX's values are informational only)
#   SHARED/conformance/{README.md,index.json,check.py} -> fixtures/conformance/
#   SHARED/models/<model>/      -> fixtures/models/<model>/       IR, README, convert script, calibration data, pot/ golden
#   SHARED/models/{README.md,make_calib.py,make_golden.py} -> fixtures/models/
#
# The destination folders are replaced wholesale, so running it twice gives the same tree.
# Needs only bash and coreutils (no rsync).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${1:-$repo/../shared}"
shared="$(cd "$shared" && pwd)"
dest="$repo/fixtures"

[[ -d "$shared/conformance" && -d "$shared/models" ]] || {
    echo "error: $shared has no conformance/ or models/ folder" >&2; exit 1; }

# --- conformance -------------------------------------------------------------------------------
rm -rf "$dest/conformance"
mkdir -p "$dest/conformance"
cases=0
for case_dir in "$shared/conformance"/*/; do
    case_dir="${case_dir%/}"
    name="$(basename "$case_dir")"
    [[ -f "$case_dir/case.json" ]] || continue
    mkdir -p "$dest/conformance/$name"
    for f in "$case_dir"/*; do
        base="$(basename "$f")"
        case "$base" in
            onnx_expected_*) continue ;;                       # not needed: refs are OpenVINO's outputs
            model.xml|model.bin|case.json|in_*.npy|ref_*.npy) cp "$f" "$dest/conformance/$name/" ;;
            *) echo "warning: unexpected file $f (skipped)" >&2 ;;
        esac
    done
    cases=$((cases + 1))
done
for f in README.md index.json check.py; do
    cp "$shared/conformance/$f" "$dest/conformance/$f"
done
echo "conformance: $cases cases"

# --- models ------------------------------------------------------------------------------------
rm -rf "$dest/models"
mkdir -p "$dest/models"
for f in README.md make_calib.py make_golden.py; do
    cp "$shared/models/$f" "$dest/models/$f"
done
models=0
for model_dir in "$shared/models"/*/; do
    model_dir="${model_dir%/}"
    name="$(basename "$model_dir")"
    mkdir -p "$dest/models/$name"
    # Everything a model folder holds is wanted: NAME.xml/.bin, README.md, convert_NAME.py,
    # calibration inputs (calib*.npy, calib_sentences.txt, vocab.txt) and pot/ (fq.json, NAME_int8.*,
    # in_*.npy, ref_*.npy). Copy it as it is, skipping nothing but Python caches.
    (cd "$model_dir" && find . -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0) |
        while IFS= read -r -d '' rel; do
            mkdir -p "$dest/models/$name/$(dirname "$rel")"
            cp "$model_dir/$rel" "$dest/models/$name/$rel"
        done
    models=$((models + 1))
done
echo "models: $models"

# --- sizes -------------------------------------------------------------------------------------
size_mb() { du -sb "$1" | awk '{printf "%.1f", $1 / 1048576}'; }
echo "fixtures/conformance: $(size_mb "$dest/conformance") MB"
echo "fixtures/models:      $(size_mb "$dest/models") MB"
echo "fixtures (all):       $(size_mb "$dest") MB"
