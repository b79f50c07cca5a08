#!/bin/bash
set -euo pipefail
# ebguard: ignore[EB008] copied from the old container command
source /var/app/venv/*/bin/activate
python3 manage.py collectstatic --noinput
