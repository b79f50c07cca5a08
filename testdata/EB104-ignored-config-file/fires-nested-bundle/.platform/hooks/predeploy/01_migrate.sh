#!/bin/bash
set -euo pipefail
cd /var/app/staging
php artisan migrate --force
