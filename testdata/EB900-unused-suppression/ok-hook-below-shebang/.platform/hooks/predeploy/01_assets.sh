#!/bin/bash
# ebguard: ignore[EB200] the deploy pipeline runs `chmod +x .platform/hooks/*/*` before zipping
set -euo pipefail
python3 manage.py collectstatic --noinput
