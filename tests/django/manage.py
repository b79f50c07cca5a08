#!/usr/bin/env python
"""Django entry point for the ebguard migrate end-to-end tests (tests/migrate_django.rs)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebguard_dj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
