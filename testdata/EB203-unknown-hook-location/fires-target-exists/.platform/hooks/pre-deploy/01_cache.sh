#!/bin/bash
php artisan config:cache
