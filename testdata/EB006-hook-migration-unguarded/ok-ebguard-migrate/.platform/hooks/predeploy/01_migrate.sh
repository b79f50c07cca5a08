#!/bin/bash
set -euo pipefail
source /var/app/venv/*/bin/activate
exec "$(dirname "$0")/../../bin/ebguard-$(uname -m)" migrate -- python manage.py migrate --noinput
