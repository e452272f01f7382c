#!/usr/bin/env bash
# From a fresh clone to a first result: install the build's packages (when missing), build the
# release binary and run it on the face landmark model.
#
#   bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/env.sh
swiftpot_setup
echo "+ swift build -c release" >&2
swift build -c release
echo "+ .build/release/swiftpot inspect fixtures/models/face_landmark/face_landmark.xml" >&2
.build/release/swiftpot inspect fixtures/models/face_landmark/face_landmark.xml
