#!/bin/bash
systemctl restart worker
