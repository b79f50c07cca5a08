export PYTHON=/var/app/venv/staging-LQM1lest/bin/python
