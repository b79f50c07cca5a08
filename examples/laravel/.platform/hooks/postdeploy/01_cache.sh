#!/bin/bash
# Rebuild Laravel's caches from the environment properties of this deployment.
set -euo pipefail
php artisan config:cache
php artisan route:cache
