# tests/deploy_ebcli.rs: the EB CLI (awsebcli, from .ci/python/deploy.txt) builds the real zip
# and Info-ZIP `unzip` extracts it as the EB engine does; `zip` builds artifact fixtures.
if ! command -v zip >/dev/null || ! command -v unzip >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq zip unzip >/dev/null
fi
export EBGUARD_TEST_EBCLI_PYTHON="$EBGUARD_CI_VENV/bin/python"
"$EBGUARD_TEST_EBCLI_PYTHON" -c 'import ebcli.core.fileoperations' \
  || { echo "awsebcli is not importable from $EBGUARD_TEST_EBCLI_PYTHON" >&2; exit 1; }
