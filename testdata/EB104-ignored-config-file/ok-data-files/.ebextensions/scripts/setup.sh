#!/bin/bash
echo "run by a container command"
