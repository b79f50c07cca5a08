#!/bin/bash
set -euo pipefail
ebguard migrate -- python manage.py migrate --noinput
