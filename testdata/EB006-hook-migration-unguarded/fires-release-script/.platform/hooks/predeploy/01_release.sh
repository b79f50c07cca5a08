#!/bin/bash
set -e
cd /var/app/staging
./bin/release
