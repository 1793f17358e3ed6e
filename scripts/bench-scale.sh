#!/usr/bin/env bash
# Scale figures for docs/scale.md: the demo county plus N generated
# producers inside it (default 200,000), then the seconds of
# `coldchain coverage`, of vector tiles at county and village zoom (cold
# and again), and of an MCLP and a capacity plan through `coldchain plan`
# (geodesic travel), with the load average before and after. One run on an
# embedded cluster of its own, removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
PORT=${PORT:-18765}
. scripts/cluster.sh scale
go build -o bin/coldchain ./cmd/coldchain
secs() { local s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
./bin/coldchain demo >/dev/null 2>&1
go run ./scripts/genproducers -n "$N" -dir "$work" -bbox 114.02,26.5,114.38,26.8
printf '| step | seconds |\n|---|---|\n'
printf '| import %d producers (CSV) | %.1f |\n' "$N" "$(secs ./bin/coldchain import producers "$work/producers.csv")"
printf '| coverage, all classes | %.1f |\n' "$(secs ./bin/coldchain coverage --travel geodesic)"
printf '| coverage, citrus | %.1f |\n' "$(secs ./bin/coldchain coverage --travel geodesic --class citrus)"
./bin/coldchain serve --addr "127.0.0.1:$PORT" --travel geodesic >"$work/serve.log" 2>&1 &
srv=$!
pids+=("$srv")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.3; done
tile() { curl -sf -o /dev/null "http://127.0.0.1:$PORT/tiles/$1"; }
# z10 holds the whole county; z14 a few villages (tile numbers of 114.2, 26.65).
for t in "producers/10/836/433.mvt" "producers,facilities,regions/10/836/433.mvt" "producers/14/13389/6932.mvt"; do
  printf '| tile %s (cold, warm) | %.2f, %.2f |\n' "$t" "$(secs tile "$t")" "$(secs tile "$t")"
done
kill "$srv"; wait "$srv" 2>/dev/null || true; srv=
printf '| plan mclp p=3 citrus | %.1f |\n' "$(secs ./bin/coldchain plan --travel geodesic --problem mclp --type precooling --tier field --classes citrus --p 3)"
printf '| plan capacity citrus, budget 3000 | %.1f |\n' "$(secs ./bin/coldchain plan --travel geodesic --problem capacity --type ventilated_store --tier township --classes citrus --budget 3000)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
