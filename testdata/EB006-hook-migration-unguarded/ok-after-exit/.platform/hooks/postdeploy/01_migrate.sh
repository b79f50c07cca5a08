#!/bin/bash
# Migrations moved to CI; kept for reference.
exit 0
python manage.py migrate --noinput
