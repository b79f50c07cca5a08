#!/bin/sh
# Elastic Beanstalk predeploy hook: run the app's database migrations under
# `ebguard migrate`, which takes a database lock first, so they run safely on every
# instance (leader or not, deployments and scale-outs alike). Docs: docs/migrate.md.
#
# Install: copy to .platform/hooks/predeploy/01_migrate.sh in the source bundle, with
# LF line endings and the executable bit (git update-index --chmod=+x <file>); put the
# static binaries ebguard-x86_64 and ebguard-aarch64 in .platform/bin/ (NOT in a hooks
# directory: EB would run them as hooks).

# ==== The app's migrate command: edit this line =====================================
MIGRATE_COMMAND="python manage.py migrate --noinput"
# Django:  MIGRATE_COMMAND="python manage.py migrate --noinput"
# Rails:   MIGRATE_COMMAND="bundle exec rails db:migrate"
#          (and set RAILS_SKIP_MIGRATIONS=true so the platform does not migrate unlocked)
# Laravel: MIGRATE_COMMAND="php artisan migrate --force"
# Options for ebguard migrate, e.g. "--lock-timeout 300s --log-format json":
EBGUARD_OPTIONS=""
# ====================================================================================

set -eu

# Hooks run with EB's PATH, without the Python platform's virtualenv (AWS documents
# `source /var/app/venv/*/bin/activate` for it): activate the first one if this is a
# Python platform; a no-op elsewhere.
for activate in /var/app/venv/*/bin/activate; do
    if [ -f "$activate" ]; then
        # shellcheck disable=SC1090
        . "$activate"
        break
    fi
done

case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *)
        echo "01_migrate.sh: unsupported CPU architecture $(uname -m); ebguard ships x86_64 and aarch64" >&2
        exit 78
        ;;
esac

# Predeploy hooks run from the staging directory (the bundle root): look in
# .platform/bin there, then beside this script's hooks tree, then beside the script
# (for use from container_commands, e.g. bin/migrate.sh).
here=$(dirname "$0")
ebguard=""
for candidate in "${EBGUARD_BIN:-}" ".platform/bin/ebguard-$arch" "$here/../../bin/ebguard-$arch" "$here/ebguard-$arch"; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then
        ebguard=$candidate
        break
    fi
done
if [ -z "$ebguard" ]; then
    echo "01_migrate.sh: ebguard-$arch not found in .platform/bin/ (or \$EBGUARD_BIN); add the static binary to the source bundle" >&2
    exit 78
fi
if [ ! -x "$ebguard" ]; then
    echo "01_migrate.sh: $ebguard is not executable; set the bit in git: git update-index --chmod=+x $ebguard" >&2
    exit 78
fi

# Word splitting of the two variables is intended: they hold command lines.
# shellcheck disable=SC2086
exec "$ebguard" migrate $EBGUARD_OPTIONS -- $MIGRATE_COMMAND
