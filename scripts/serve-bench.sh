#!/usr/bin/env bash
# Serving benchmark: N synthetic producers (default 600,000, made by
# scripts/genproducers) in a private cluster; coldchain's OGC API items
# (1,000 features in a bbox) and vector tiles at z10 and z12 under CONNS
# clients (default 32), side by side with pg_featureserv and pg_tileserv
# when `go install` can fetch them (into a temporary GOBIN, never the
# repository), else with the same SQL run directly. Prints a table of
# requests per second, errors and ratios. DURATION (default 20s) per case.
# Timings depend on the machine: run it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-600000}
. scripts/cluster.sh serve
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 120); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "no answer from $1" >&2; return 1; }

go build -o bin/coldchain ./cmd/coldchain
go run ./scripts/genproducers -n "$N" -dir "$work" >/dev/null
./bin/coldchain db start >/dev/null
./bin/coldchain import producers "$work/producers.csv" >/dev/null
db=$(./bin/coldchain db url)
psql "$db" -qc 'VACUUM ANALYZE producer' >/dev/null 2>&1 || true

port=$(free_port)
./bin/coldchain serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/readyz"

refs=()
if GOBIN=$work/gobin go install github.com/CrunchyData/pg_featureserv@latest >/dev/null 2>&1; then
  fport=$(free_port)
  DATABASE_URL=$db PGFS_SERVER_HTTPPORT=$fport "$work/gobin/pg_featureserv" >"$work/fs.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$fport/collections" && refs+=(-featureserv "http://127.0.0.1:$fport")
else
  echo "pg_featureserv: go install failed (not reachable through the module proxy); comparing with the same SQL run directly"
fi
if GOBIN=$work/gobin go install github.com/CrunchyData/pg_tileserv@latest >/dev/null 2>&1; then
  tport=$(free_port)
  DATABASE_URL=$db TS_HTTPPORT=$tport "$work/gobin/pg_tileserv" >"$work/ts.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$tport/index.json" && refs+=(-tileserv "http://127.0.0.1:$tport")
else
  echo "pg_tileserv: go install failed (not reachable through the module proxy); comparing with the same SQL run directly"
fi
go run ./scripts/servebench -base "http://127.0.0.1:$port" -db "$db" -conns "${CONNS:-32}" -duration "${DURATION:-20s}" "${refs[@]}"
