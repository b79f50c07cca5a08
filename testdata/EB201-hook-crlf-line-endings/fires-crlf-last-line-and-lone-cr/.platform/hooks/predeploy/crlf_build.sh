#!/bin/bash
# A carriage return inside a line is data, not a line ending:
printf 'progress\r50%' > /tmp/progress
npm run build