#!/bin/bash
# The Ruby platform's asset compilation needs yarn for jsbundling-rails.
set -euo pipefail
if ! command -v yarn >/dev/null; then
  npm install --global yarn
fi
