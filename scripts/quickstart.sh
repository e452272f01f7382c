#!/usr/bin/env bash
# From a fresh clone to a first result: install the build's packages (when missing), build the
# release binary and quantize the bundled digits model (DefaultQuantization, 120 calibration samples)
# into out/digits_int8.xml.
#
#   bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/env.sh
swiftpot_setup
echo "+ swift build -c release" >&2
swift build -c release
echo "+ .build/release/swiftpot quantize --model fixtures/pot/digits/digits.xml --data fixtures/pot/digits/x.npy --output-dir out --name digits_int8" >&2
.build/release/swiftpot quantize --model fixtures/pot/digits/digits.xml --data fixtures/pot/digits/x.npy \
    --output-dir out --name digits_int8
