#!/bin/bash
php artisan route:cache
