#!/bin/bash
chmod +x scripts/release.sh
./scripts/release.sh
