export QUEUE=default
export WORKERS=2
