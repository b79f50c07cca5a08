# tests/distribution.rs: ebguard installed as users without Rust install it (pip, pipx, uvx, npm,
# pre-commit's `language: python` hook, the GitHub Action's script, the predeploy hook on an
# instance). The tests build the artifacts once with `scripts/release.sh --check` and install
# them offline.
export EBGUARD_TEST_MATURIN="$EBGUARD_CI_VENV/bin/maturin"
export EBGUARD_TEST_PIPX="$EBGUARD_CI_VENV/bin/pipx"
export EBGUARD_TEST_UVX="$EBGUARD_CI_VENV/bin/uvx"
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  apt-get install -y -q nodejs npm >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q nodejs npm >/dev/null; }
fi
# pip builds the pre-commit mirror (pre-commit/pyproject.toml) in an isolated environment that
# needs setuptools; the test installs with PIP_NO_INDEX, so setuptools comes from here.
EBGUARD_TEST_WHEELHOUSE="$(dirname "$EBGUARD_CI_VENV")/wheelhouse"
"$EBGUARD_CI_VENV/bin/pip" download --quiet --disable-pip-version-check --only-binary=:all: \
  --dest "$EBGUARD_TEST_WHEELHOUSE" 'setuptools>=61'
export EBGUARD_TEST_WHEELHOUSE
