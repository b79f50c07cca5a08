#!/usr/bin/env bash
npm ci --omit=dev
