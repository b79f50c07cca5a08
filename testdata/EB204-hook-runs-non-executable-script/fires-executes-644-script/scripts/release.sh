#!/bin/bash
echo "warming caches"
