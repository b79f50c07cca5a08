#!/bin/bash
# Migrations run elsewhere; this only collects static files (not `manage.py migrate`).
source /var/app/venv/*/bin/activate
echo "skipping manage.py migrate here"
python manage.py collectstatic --noinput
