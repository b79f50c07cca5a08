#!/bin/bash
set -euo pipefail
cd /var/app/staging && bundle exec rake assets:precompile
