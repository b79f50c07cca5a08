#!/bin/bash
php artisan queue:restart
