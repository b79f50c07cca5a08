#!/bin/bash
php artisan migrate --force
