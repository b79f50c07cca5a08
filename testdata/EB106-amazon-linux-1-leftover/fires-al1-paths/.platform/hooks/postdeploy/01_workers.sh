#!/bin/bash
cd /var/app/ondeck && ./restart-workers
