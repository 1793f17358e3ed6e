#!/usr/bin/env bash
# Load check on loopback: boots coldchain with the demo county on a private
# cluster, then 200 connections send mixed reads for 30 s while plans solve
# one after another and /readyz is polled. Fails on any error, failed plan or
# /readyz other than 200. CONNS and DURATION override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/coldchain-load-XXXX)
chmod 755 "$work"
export COLDCHAIN_HOME=$work/home DATABASE_URL=
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  ./bin/coldchain db stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o bin/coldchain ./cmd/coldchain
./bin/coldchain demo >/dev/null 2>&1
token=$(./bin/coldchain token create --role planner 2>/dev/null)
./bin/coldchain serve --addr "127.0.0.1:$port" --plan-rate 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
go run ./scripts/loadcheck -base "http://127.0.0.1:$port" -token "$token" -conns "${CONNS:-200}" -duration "${DURATION:-30s}"
