#!/bin/bash
set -e
./scripts/release.sh
