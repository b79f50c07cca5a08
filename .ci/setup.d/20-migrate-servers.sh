# shellcheck shell=bash
# Servers for tests/migrate_faults.rs (sourced by .ci/run with `set -euo pipefail`):
# PgBouncer in session, transaction and statement mode in front of the main PostgreSQL,
# and a second PostgreSQL cluster plus a second mariadbd that require TLS with a
# self-signed CA (server certificate for DNS:localhost only, so verify-full against
# 127.0.0.1 fails). Everything lives under one temporary directory and runs on loopback
# ports 5433, 3307 and 6432-6434; PIDs go to $EBGUARD_CI_PIDS. Started in parallel.

mig_dir="$(mktemp -d /tmp/ebguard-migrate-ci.XXXXXX)"
chmod 755 "$mig_dir"

if ! command -v pgbouncer >/dev/null 2>&1; then
  apt-get install -y -qq pgbouncer >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null; }
fi
pg_bin="$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")"

# Certificates: a CA, a server certificate it signs, and an unrelated CA.
(
  cd "$mig_dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ebguard test CA" \
    -keyout ca.key -out ca.pem 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ebguard wrong CA" \
    -keyout wrong-ca.key -out wrong-ca.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key \
    -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' >ext.cnf
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile ext.cnf -out server.pem 2>/dev/null
  chmod 644 ./*.pem server.key
)

start_pg_tls() {
  local data="$mig_dir/pgtls"
  install -d -o postgres -m 700 "$data"
  runuser -u postgres -- "$pg_bin/initdb" -D "$data" -A trust -U postgres >/dev/null
  install -o postgres -m 600 "$mig_dir/server.key" "$data/server.key"
  install -o postgres -m 644 "$mig_dir/server.pem" "$data/server.pem"
  cat >"$data/pg_hba.conf" <<HBA
local all all trust
hostnossl all all 127.0.0.1/32 reject
hostnossl all all ::1/128 reject
hostssl all all 127.0.0.1/32 trust
hostssl all all ::1/128 trust
HBA
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data" -l "$data/log" -w -o \
    "-p 5433 -k $data -c listen_addresses=localhost -c ssl=on -c ssl_cert_file=server.pem -c ssl_key_file=server.key" \
    start >/dev/null
  head -1 "$data/postmaster.pid" >>"$EBGUARD_CI_PIDS"
}

start_mysql_tls() {
  local data="$mig_dir/mytls"
  mkdir -p "$data"
  chown mysql "$data"
  mariadb-install-db --no-defaults --user=mysql --datadir="$data" --skip-test-db >/dev/null 2>&1
  mariadbd --no-defaults --user=mysql --datadir="$data" --port=3307 \
    --bind-address=127.0.0.1 --socket="$data/sock" --pid-file="$data/pid" \
    --skip-name-resolve --ssl-ca="$mig_dir/ca.pem" --ssl-cert="$mig_dir/server.pem" \
    --ssl-key="$mig_dir/server.key" --require-secure-transport=ON \
    --log-error="$data/err.log" &
  echo $! >>"$EBGUARD_CI_PIDS"
  for _ in $(seq 1 60); do
    mariadb-admin --socket="$data/sock" ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb --socket="$data/sock" -e "CREATE DATABASE IF NOT EXISTS test;
    CREATE USER IF NOT EXISTS 'ebguard'@'%'; GRANT ALL ON *.* TO 'ebguard'@'%'"
}

start_pgbouncers() {
  local dir="$mig_dir/pgbouncer" port=6432
  install -d -o postgres "$dir"
  echo '"postgres" ""' >"$dir/users.txt"
  for mode in session transaction statement; do
    cat >"$dir/$mode.ini" <<INI
[databases]
test = host=127.0.0.1 port=5432 dbname=test
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = $mode
max_client_conn = 100
default_pool_size = 4
ignore_startup_parameters = extra_float_digits
logfile = $dir/$mode.log
pidfile = $dir/$mode.pid
INI
    chown postgres "$dir/$mode.ini"
    pgbouncer -d -q -u postgres "$dir/$mode.ini"
    for _ in $(seq 1 40); do [ -s "$dir/$mode.pid" ] && break; sleep 0.1; done
    cat "$dir/$mode.pid" >>"$EBGUARD_CI_PIDS"
    export "EBGUARD_TEST_PGBOUNCER_$(echo "$mode" | tr a-z A-Z)_URL=postgres://postgres@127.0.0.1:$port/test"
    port=$((port + 1))
  done
}

start_pg_tls &
pg_tls_job=$!
start_mysql_tls &
my_tls_job=$!
start_pgbouncers
wait "$pg_tls_job"
wait "$my_tls_job"

export EBGUARD_TEST_TLS_CA="$mig_dir/ca.pem"
export EBGUARD_TEST_TLS_WRONG_CA="$mig_dir/wrong-ca.pem"
export EBGUARD_TEST_PG_TLS_URL="postgres://postgres@localhost:5433/postgres"
export EBGUARD_TEST_MYSQL_TLS_URL="mysql://ebguard@localhost:3307/test"
echo "migrate servers: PgBouncer 6432-6434, TLS PostgreSQL 5433, TLS MariaDB 3307 ($mig_dir)"
