#!/bin/bash
set -euo pipefail
source /var/app/venv/*/bin/activate
DJANGO_SETTINGS_MODULE=shop.settings.prod python manage.py migrate --noinput >> /var/log/migrate.log 2>&1
# A sourced file runs in this shell: `ebguard migrate` cannot run it without one.
. scripts/seed.sh
