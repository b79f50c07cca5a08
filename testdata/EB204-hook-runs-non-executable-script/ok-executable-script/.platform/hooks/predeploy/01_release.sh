#!/bin/bash
./scripts/release.sh
