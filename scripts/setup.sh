#!/usr/bin/env bash
# Sets up a machine to build and test Sessa, then builds it. Idempotent: run
# it as often as you like; every phase skips what is already done.
#
#   1. Debian packages (LLVM/MLIR 22, clang-22, lld-22, ninja, ccache, cmake,
#      python3-venv): only the missing ones, with a single `apt-get update`
#      first. Needs root or sudo, but only when something is missing.
#   2. A Python virtual environment in <repo>/.venv with requirements.txt
#      (skipped when every pinned version is already installed there).
#   3. CMake configure of <repo>/build (Ninja, clang-22, ccache, lld, Release),
#      skipped when build/ was already configured with the same arguments.
#   4. `ninja -C build`.
#
# Environment: SESSA_BUILD_DIR (default <repo>/build), SESSA_BUILD_TYPE
# (default Release), CCACHE_DIR (default ~/.cache/ccache), CCACHE_DISABLE=1 to
# build without the cache, SESSA_JOBS for ninja's -j (default: ninja's own).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SESSA_BUILD_DIR:-$REPO/build}"
BUILD_TYPE="${SESSA_BUILD_TYPE:-Release}"
VENV="$REPO/.venv"
LLVM_VERSION=22
LLVM_PREFIX="/usr/lib/llvm-$LLVM_VERSION"
MLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"

APT_PACKAGES=(
  "llvm-$LLVM_VERSION-dev" "libmlir-$LLVM_VERSION-dev" "mlir-$LLVM_VERSION-tools"
  "llvm-$LLVM_VERSION-tools" "clang-$LLVM_VERSION" "lld-$LLVM_VERSION"
  "libomp-$LLVM_VERSION-dev" ninja-build ccache cmake
)

now() { date +%s.%N; }
SETUP_START="$(now)"
PHASE_START=""
PHASE_NAME=""
TIMINGS=()
phase() {  # phase NAME: starts timing a phase (and ends the previous one)
  end_phase
  PHASE_NAME="$1"
  PHASE_START="$(now)"
  echo "==> [setup] $PHASE_NAME"
}
end_phase() {
  if [[ -n "$PHASE_NAME" ]]; then
    local secs
    secs="$(awk -v a="$PHASE_START" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
    echo "==> [setup] $PHASE_NAME: ${secs} s"
    TIMINGS+=("$(printf '%-24s %8s s' "$PHASE_NAME" "$secs")")
    PHASE_NAME=""
  fi
}
die() { echo "setup.sh: error: $*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root or sudo to run: $*"
  fi
}

is_installed() {  # is_installed PACKAGE: whether dpkg has it fully installed
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

venv_ok() {  # whether $VENV has a working interpreter
  [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import sys" >/dev/null 2>&1
}

# Whether `python3 -m venv` works here (pyenv's python3 has venv built in;
# Debian's needs the python3-venv package for ensurepip).
python_venv_works() {
  command -v python3 >/dev/null 2>&1 || return 1
  local tmp
  tmp="$(mktemp -d)"
  if python3 -m venv "$tmp/venv" >/dev/null 2>&1; then
    rm -rf "$tmp"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

# --- 1. System packages -------------------------------------------------------
phase "system packages"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
if ! venv_ok && ! python_venv_works; then
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  missing+=(python3-venv)
fi
if ((${#missing[@]})); then
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: ${missing[*]}"
  echo "installing: ${missing[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
else
  echo "all packages present"
fi
for tool in "$LLVM_PREFIX/bin/clang" "$LLVM_PREFIX/bin/clang++" \
            "$LLVM_PREFIX/bin/ld.lld" "$LLVM_PREFIX/bin/lit" \
            "$LLVM_PREFIX/bin/FileCheck" "$MLIR_DIR/MLIRConfig.cmake"; do
  [[ -e "$tool" ]] || die "missing $tool after installing the packages"
done
for tool in cmake ninja ccache python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH"
done

# --- 2. Python environment ----------------------------------------------------
phase "python venv"
if ! venv_ok; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi
# Every `name==version` of requirements.txt already installed: nothing to do.
if "$VENV/bin/python" - "$REPO/requirements.txt" <<'EOF'
import re, sys
from importlib import metadata
ok = True
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
    if not m:
        ok = False
        break
    try:
        ok = ok and metadata.version(m.group(1)) == m.group(2)
    except metadata.PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
EOF
then
  echo "requirements.txt already satisfied in .venv"
else
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REPO/requirements.txt"
fi

# --- 3. Configure -------------------------------------------------------------
phase "cmake configure"
# ccache through `env`, so that every build of this build directory (also a
# plain `ninja -C build`) uses the same cache, with paths taken relative to
# the repository: a fresh clone elsewhere still hits the cache.
launcher="/usr/bin/env;CCACHE_DIR=$CCACHE_DIR;CCACHE_BASEDIR=$REPO;CCACHE_NOHASHDIR=1;ccache"
cmake_args=(
  -G Ninja
  -S "$REPO" -B "$BUILD_DIR"
  -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
  -DCMAKE_C_COMPILER="/usr/bin/clang-$LLVM_VERSION"
  -DCMAKE_CXX_COMPILER="/usr/bin/clang++-$LLVM_VERSION"
  -DCMAKE_C_COMPILER_LAUNCHER="$launcher"
  -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"
  -DLLVM_USE_LINKER=lld
  -DMLIR_DIR="$MLIR_DIR"
  -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit"
  -DSESSA_TEST_PYTHON="$VENV/bin/python"
  -DCMAKE_INSTALL_PREFIX="$BUILD_DIR/install"
)
stamp="$BUILD_DIR/.sessa-setup-configure"
if [[ -f "$BUILD_DIR/CMakeCache.txt" && -f "$BUILD_DIR/build.ninja" && -f "$stamp" ]] &&
   [[ "$(cat "$stamp")" == "${cmake_args[*]}" ]]; then
  echo "build directory already configured with these settings (ninja re-runs cmake if needed)"
else
  cmake "${cmake_args[@]}"
  printf '%s' "${cmake_args[*]}" >"$stamp"
fi

# --- 4. Build -----------------------------------------------------------------
phase "build"
ninja -C "$BUILD_DIR" ${SESSA_JOBS:+-j "$SESSA_JOBS"}
end_phase

echo "==> [setup] timings"
printf '    %s\n' "${TIMINGS[@]}"
printf '    %-24s %8s s\n' "total" \
  "$(awk -v a="$SETUP_START" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
