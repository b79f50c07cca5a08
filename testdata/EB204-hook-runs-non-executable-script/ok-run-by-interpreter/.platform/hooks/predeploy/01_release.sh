#!/bin/bash
bash scripts/release.sh
