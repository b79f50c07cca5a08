#!/bin/bash
supervisorctl restart all
