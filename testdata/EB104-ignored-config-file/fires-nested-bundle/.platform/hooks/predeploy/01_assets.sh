#!/bin/bash
set -euo pipefail
php artisan config:cache
