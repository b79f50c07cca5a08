#!/bin/bash
# ebguard migrate logs EB_IS_COMMAND_LEADER itself; the lock is the guarantee.
exec "$(dirname "$0")/../../bin/ebguard-$(uname -m)" migrate -- php artisan migrate --force
