#!/bin/bash
php artisan view:cache
