#!/usr/bin/env bash
# Builds Sessa (scripts/setup.sh: packages, .venv, configure, build) and runs
# every test suite. Exits non-zero when any step fails. This is what .ci/run
# runs, and the README's test command.
#
# Environment: as scripts/setup.sh (SESSA_BUILD_DIR, SESSA_BUILD_TYPE,
# CCACHE_DIR, CCACHE_DISABLE, SESSA_JOBS).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SESSA_BUILD_DIR:-$REPO/build}"
export SESSA_BUILD_DIR="$BUILD_DIR"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
START="$(now)"
TIMINGS=()
FAILED=()

# --- Set-up and build ---------------------------------------------------------
t="$(now)"
bash "$REPO/scripts/setup.sh"
TIMINGS+=("$(printf '%-24s %8s s' "setup + build" "$(since "$t")")")

# --- lit suite: ninja check-sessa -------------------------------------------
echo "==> [test] ninja -C $BUILD_DIR check-sessa"
t="$(now)"
lit_log="$BUILD_DIR/check-sessa.log"
rc=0
ninja -C "$BUILD_DIR" check-sessa 2>&1 | tee "$lit_log" || rc=$?
TIMINGS+=("$(printf '%-24s %8s s' "check-sessa (lit)" "$(since "$t")")")
((rc == 0)) || FAILED+=("check-sessa")
# lit's summary as one plain line: "lit: N passed, N failed, N skipped".
lit_count() {  # lit_count LABEL...: the sum of lit's "  LABEL: N" lines
  local n=0 label v
  for label in "$@"; do
    v="$(sed -n "s/^ *$label *: *\([0-9][0-9]*\).*/\1/p" "$lit_log" | tail -n 1)"
    n=$((n + ${v:-0}))
  done
  echo "$n"
}
lit_passed="$(lit_count "Passed" "Expectedly Failed")"
lit_failed="$(lit_count "Failed" "Unexpectedly Passed" "Unresolved" "Timed Out")"
lit_skipped="$(lit_count "Unsupported" "Skipped")"
if ((rc != 0 && lit_failed == 0)); then
  lit_failed=1  # the build or lit itself failed before any test ran
fi

# --- Python tests (pytest) ----------------------------------------------------
# The package staged by the build (build/python_packages/sessa) against the
# float64 reference. Skipped only when the build has SESSA_ENABLE_PYTHON=OFF;
# pytest's exit code 5 (no tests collected) counts as a failure.
py_passed=0 py_failed=0 py_skipped=0
if compgen -G "$BUILD_DIR/python_packages/sessa/_compiler*.so" >/dev/null; then
  echo "==> [test] pytest test/Python"
  t="$(now)"
  py_log="$BUILD_DIR/pytest.log"
  rc=0
  (cd "$REPO" && PYTHONPATH="$BUILD_DIR/python_packages${PYTHONPATH:+:$PYTHONPATH}" \
    "$REPO/.venv/bin/python" -m pytest test/Python -q -p no:cacheprovider) 2>&1 | tee "$py_log" || rc=$?
  TIMINGS+=("$(printf '%-24s %8s s' "pytest (python)" "$(since "$t")")")
  ((rc == 0)) || FAILED+=("pytest")
  py_summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped)' "$py_log" | tail -n 1 || true)"
  for kind in passed xfailed xpassed failed error errors skipped; do
    v="$(echo "$py_summary" | grep -oE "[0-9]+ $kind\b" | grep -oE '^[0-9]+' || true)"
    case "$kind" in
      passed | xfailed | xpassed) py_passed=$((py_passed + ${v:-0})) ;;
      skipped) py_skipped=$((py_skipped + ${v:-0})) ;;
      *) py_failed=$((py_failed + ${v:-0})) ;;
    esac
  done
  if ((rc != 0 && py_failed == 0)); then
    py_failed=1  # pytest itself failed, or collected no test (exit 5)
  fi
elif grep -qiE '^SESSA_ENABLE_PYTHON:STRING=(OFF|NO|FALSE|0)$' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
  echo "==> [test] pytest skipped: the build has SESSA_ENABLE_PYTHON=OFF"
else
  echo "==> [test] pytest: the Python package was not built ($BUILD_DIR/python_packages/sessa)"
  FAILED+=("pytest (package not built)")
  py_failed=1
fi

# --- Summary ------------------------------------------------------------------
echo "==> [test] timings"
printf '    %s\n' "${TIMINGS[@]}"
printf '    %-24s %8s s\n' "total" "$(since "$START")"
if ((${#FAILED[@]})); then
  echo "==> [test] FAILED: ${FAILED[*]}"
fi
echo "lit: $lit_passed passed, $lit_failed failed, $lit_skipped skipped"
echo "pytest: $py_passed passed, $py_failed failed, $py_skipped skipped"
echo "total: $((lit_passed + py_passed)) passed, $((lit_failed + py_failed)) failed, $((lit_skipped + py_skipped)) skipped"
((${#FAILED[@]} == 0))
