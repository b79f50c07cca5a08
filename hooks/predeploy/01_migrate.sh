#!/bin/sh
# Elastic Beanstalk predeploy hook: run the app's database migrations under
# `ebguard migrate`, which takes a database lock first, so they run safely on every
# instance (leader or not, deployments and scale-outs alike). Docs: docs/migrate.md.
#
# Install: copy to .platform/hooks/predeploy/01_migrate.sh in the source bundle, with
# LF line endings and the executable bit (git update-index --chmod=+x <file>), and get
# ebguard onto the instance through the app's own dependencies: `ebguard` in
# requirements.txt (Python) or in "dependencies" of package.json (Node.js); on other
# platforms put the static binaries ebguard-x86_64 and ebguard-aarch64 in .platform/bin/
# (NOT in a hooks directory: EB would run them as hooks).
#
# ebguard is looked up in this order, and the hook logs which one it used:
#   1. $EBGUARD_BIN
#   2. the app's virtualenv: $VIRTUAL_ENV if one is active, else /var/app/venv/*/
#      (where the Python platform installs requirements.txt): bin/ebguard
#   3. node_modules/ in the staging directory (npm package `ebguard`): the executable
#      of @ebguard/linux-<cpu>, else node_modules/.bin/ebguard
#   4. .platform/bin/ebguard-<arch> of the bundle, ../../bin/ and this script's folder
#   5. PATH

# ==== The app's migrate command: edit this line =====================================
MIGRATE_COMMAND="python manage.py migrate --noinput"
# Django:  MIGRATE_COMMAND="python manage.py migrate --noinput"
# Rails:   MIGRATE_COMMAND="bundle exec rails db:migrate"
#          (and set RAILS_SKIP_MIGRATIONS=true so the platform does not migrate unlocked)
# Laravel: MIGRATE_COMMAND="php artisan migrate --force"
# Options for ebguard migrate, e.g. "--lock-timeout 300s --log-format json":
EBGUARD_OPTIONS=""
# ====================================================================================

# Hooks run with EB's PATH, without the Python platform's virtualenv (AWS documents
# `source /var/app/venv/*/bin/activate` for it): activate the app's virtualenv so
# `python manage.py` finds Django; a no-op on other platforms. An already active one
# ($VIRTUAL_ENV, e.g. from container_commands) wins over the glob.
venv=""
if [ -n "${VIRTUAL_ENV:-}" ] && [ -d "$VIRTUAL_ENV" ]; then
    venv=$VIRTUAL_ENV
else
    for dir in /var/app/venv/*; do
        if [ -f "$dir/bin/activate" ]; then
            venv=$dir
            break
        fi
    done
fi
if [ -n "$venv" ] && [ -f "$venv/bin/activate" ]; then
    # shellcheck disable=SC1091
    . "$venv/bin/activate"
fi

set -eu

arch=$(uname -m)
case "$arch" in
    x86_64 | amd64) arch=x86_64 npm_cpu=x64 ;;
    aarch64 | arm64) arch=aarch64 npm_cpu=arm64 ;;
    *) npm_cpu=$arch ;;
esac

# Predeploy hooks run from the staging directory (the bundle root), where EB has
# already installed the app's dependencies.
here=$(dirname "$0")
ebguard=""
source=""
try() { # try SOURCE PATH: take PATH if nothing was taken yet and it exists
    if [ -z "$ebguard" ] && [ -n "$2" ] && [ -f "$2" ]; then
        ebguard=$2
        source=$1
    fi
}
try EBGUARD_BIN "${EBGUARD_BIN:-}"
[ -n "$venv" ] && try virtualenv "$venv/bin/ebguard"
# The platform package's executable itself rather than the .bin/ launcher: no node
# process in between, so signals reach ebguard directly.
try node_modules "node_modules/@ebguard/linux-$npm_cpu/bin/ebguard"
try node_modules "node_modules/.bin/ebguard"
try platform-bin ".platform/bin/ebguard-$arch"
try platform-bin "$here/../../bin/ebguard-$arch"
try platform-bin "$here/ebguard-$arch"
try PATH "$(command -v ebguard || true)"

if [ -z "$ebguard" ]; then
    echo "01_migrate.sh: ebguard not found: add ebguard to requirements.txt (Python) or to \"dependencies\" in package.json (Node.js), or add the static binary .platform/bin/ebguard-$arch to the source bundle (or set \$EBGUARD_BIN)" >&2
    exit 78
fi
if [ ! -x "$ebguard" ]; then
    echo "01_migrate.sh: $ebguard is not executable; set the bit in git: git update-index --chmod=+x $ebguard" >&2
    exit 78
fi
echo "01_migrate.sh: event=ebguard-found source=$source path=$ebguard" >&2

# Word splitting of the two variables is intended: they hold command lines.
# shellcheck disable=SC2086
exec "$ebguard" migrate $EBGUARD_OPTIONS -- $MIGRATE_COMMAND
