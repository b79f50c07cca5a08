#!/usr/bin/env bash
# The steps of action.yml, kept out of the YAML so tests can run them (tests/distribution.rs).
#
#   action.sh install   pip-installs ebguard==$EBGUARD_VERSION into $RUNNER_TEMP/ebguard-venv and
#                       puts its bin/ on $GITHUB_PATH (a virtualenv of its own: runners' system
#                       Python refuses `pip install` (PEP 668), and the job's own packages stay
#                       untouched)
#   action.sh sarif     ebguard check --format sarif $EBGUARD_PATHS > $RUNNER_TEMP/ebguard.sarif;
#                       sets the step output sarif-file (exit 0 with findings, so the upload runs)
#   action.sh gate      ebguard check --format github --fail-on $EBGUARD_FAIL_ON $EBGUARD_PATHS:
#                       annotations, and the job's pass/fail
#
# Inputs come as environment variables, never spliced into the script by the runner, so a
# path or argument cannot inject shell code. EBGUARD_PATHS and EBGUARD_ARGS are split on
# whitespace (paths with spaces are not supported there).
set -euo pipefail

: "${RUNNER_TEMP:?RUNNER_TEMP is not set (GitHub Actions sets it)}"
venv="$RUNNER_TEMP/ebguard-venv"

ebguard() {
    if [ -x "$venv/bin/ebguard" ]; then
        "$venv/bin/ebguard" "$@"
    else
        command ebguard "$@"
    fi
}

read -r -a paths <<<"${EBGUARD_PATHS:-.}"
read -r -a args <<<"${EBGUARD_ARGS:-}"
[ ${#paths[@]} -gt 0 ] || paths=(.)

case "${1:-}" in
    install)
        version=${EBGUARD_VERSION:?EBGUARD_VERSION is not set}
        # Exactly one version: a range would make runs irreproducible.
        if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.-]?[0-9A-Za-z.]+)?$ ]]; then
            echo "::error title=ebguard::version must be an exact version such as 0.1.0, not '$version'" >&2
            exit 64
        fi
        python=${EBGUARD_PYTHON:-python3}
        "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ebguard==$version"
        installed=$("$venv/bin/ebguard" --version)
        if [ "$installed" != "ebguard $version" ]; then
            echo "::error title=ebguard::installed '$installed', expected ebguard $version" >&2
            exit 1
        fi
        if [ -n "${GITHUB_PATH:-}" ]; then
            echo "$venv/bin" >>"$GITHUB_PATH"
        fi
        echo "$installed installed in $venv"
        ;;
    sarif)
        sarif="$RUNNER_TEMP/ebguard.sarif"
        status=0
        ebguard check --format sarif "${args[@]}" "${paths[@]}" >"$sarif" || status=$?
        # Findings are in the file (exit 0, or 1 when `args` holds a --fail-on); exit 2 means
        # the run itself failed (unreadable path, invalid ebguard.toml): nothing to upload.
        if [ "$status" -gt 1 ]; then
            echo "::error title=ebguard::ebguard check --format sarif failed with exit code $status" >&2
            exit "$status"
        fi
        if [ -n "${GITHUB_OUTPUT:-}" ]; then
            echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"
        fi
        echo "SARIF report: $sarif"
        ;;
    gate)
        ebguard check --format github --fail-on "${EBGUARD_FAIL_ON:-error}" "${args[@]}" "${paths[@]}"
        ;;
    *)
        echo "usage: action.sh install|sarif|gate" >&2
        exit 64
        ;;
esac
