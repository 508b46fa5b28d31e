#!/usr/bin/env bash
# The README's first command: sets everything up (scripts/setup.sh: Debian
# packages, .venv, configure and build, the Python package included), then
# compiles a small Sessa language model ahead of time for this CPU and
# generates text with it (examples/python/generate.py: prefill, greedy
# decoding with the compiled decode step and tokens/s, a check against the
# float64 numpy reference, where the artifact is and how to call it from C++
# and Python).
#
#   scripts/run-example.sh                     # 32 tokens on the CPU
#   scripts/run-example.sh --tokens 64 --prompt "Hello"
#   scripts/run-example.sh --target cuda       # not available yet: says so
#
# Arguments go to examples/python/generate.py (--help lists them).
# Environment: as scripts/setup.sh (SESSA_BUILD_DIR, SESSA_BUILD_TYPE, ...).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SESSA_BUILD_DIR:-$REPO/build}"
export SESSA_BUILD_DIR="$BUILD_DIR"

for arg in "$@"; do
  if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    echo
    PYTHONPATH="$BUILD_DIR/python_packages" "$REPO/.venv/bin/python" \
      "$REPO/examples/python/generate.py" --help 2>/dev/null ||
      echo "(generate.py --help lists the options once the set-up has run)"
    exit 0
  fi
done

bash "$REPO/scripts/setup.sh"

if ! compgen -G "$BUILD_DIR/python_packages/sessa/_compiler*.so" >/dev/null; then
  echo "run-example.sh: error: the Python package was not built in $BUILD_DIR/python_packages" >&2
  echo "  (is SESSA_ENABLE_PYTHON off, or nanobind missing from .venv? see the cmake output)" >&2
  exit 1
fi

echo "==> [example] examples/python/generate.py $*"
export PYTHONPATH="$BUILD_DIR/python_packages${PYTHONPATH:+:$PYTHONPATH}"
exec "$REPO/.venv/bin/python" "$REPO/examples/python/generate.py" "$@"
