#!/bin/bash
# Rebuild Laravel's caches from the environment properties after a configuration update too.
set -euo pipefail
php artisan config:cache
php artisan route:cache
