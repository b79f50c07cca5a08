#!/bin/bash
set -euo pipefail
if [ "${EB_IS_COMMAND_LEADER:-}" = "true" ]; then
  cd /var/app/staging && bundle exec rake db:migrate
fi
