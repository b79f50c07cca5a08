#!/bin/bash
echo "# ebguard: this is a string, not a comment"
python3 manage.py collectstatic --noinput  # ebguard: ignore[EB001]
