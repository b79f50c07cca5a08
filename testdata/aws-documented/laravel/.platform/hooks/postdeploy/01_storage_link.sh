#!/bin/bash
# Laravel needs its public storage link after each deployment.
cd /var/app/current && php artisan storage:link || true
