# Editors and code scanning (tests/server_pytest_lsp.rs, tests/report.rs):
# - pytest-lsp comes from .ci/python/lsp.txt, in CI's virtualenv;
# - Microsoft's SARIF validator from npm. The package ships a self-contained .NET build for
#   Linux x64 (no .NET runtime needed); npm skips its postinstall `chmod`, so it is done here.
export EBGUARD_TEST_PYTEST_LSP="$EBGUARD_CI_VENV/bin/python"

sarif_dir="$(mktemp -d)"
npm install --prefix "$sarif_dir" --no-audit --no-fund --loglevel=error \
  @microsoft/sarif-multitool@5.7.0 >/dev/null
EBGUARD_TEST_SARIF_MULTITOOL="$sarif_dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
chmod u+x "$EBGUARD_TEST_SARIF_MULTITOOL"
"$EBGUARD_TEST_SARIF_MULTITOOL" --version >/dev/null
export EBGUARD_TEST_SARIF_MULTITOOL
