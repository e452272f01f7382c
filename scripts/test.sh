#!/usr/bin/env bash
# Install what the package needs (when missing) and run its tests: the README's test command.
#
#   bash scripts/test.sh [extra `swift test` arguments]
#
# Debian/Ubuntu: installs libxml2-dev, libopenblas-dev and pkg-config with apt-get when one is
# missing (needs root or sudo). Fast when everything is installed already.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/env.sh
swiftpot_setup
echo "+ swift test $*" >&2
exec swift test "$@"
