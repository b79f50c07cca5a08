#!/bin/bash
. "$(dirname "$0")/lib/env.sh"
systemctl restart worker
