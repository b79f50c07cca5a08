#!/bin/bash
if [ "$EB_IS_COMMAND_LEADER" = "true" ]; then
  cd /var/app/current
  php artisan migrate --force
fi
