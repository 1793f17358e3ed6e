#!/usr/bin/env bash
# bench-province.sh: the province benchmark of issue 16 through the whole
# product, phase by phase, on a throwaway embedded cluster:
#
#   1. generate and load a synthetic province (coldchain demo --province:
#      the set-based bulk load every import uses);
#   2. coverage of one county, one prefecture and the whole province
#      (coldchain coverage, geodesic travel);
#   3. an MCLP and a capacity plan over the province through the API
#      (serve with in-process workers; each county is a part, then one
#      combined, stored result), timed from submission to the stored plan.
#
# Prints seconds and peak memory (max RSS) for each phase, and the load
# average before and after. Sizes: COUNTIES (100), PRODUCERS (1000000),
# LIMIT (seconds per county part, 3), WORKERS (in-process workers, 2),
# TIMEOUT (seconds any one phase may take before it is reported as not
# finished, 1800). Needs curl, jq and GNU time (/usr/bin/time).
set -uo pipefail
cd "$(dirname "$0")/.."
COUNTIES=${COUNTIES:-100}
PRODUCERS=${PRODUCERS:-1000000}
LIMIT=${LIMIT:-3}
WORKERS=${WORKERS:-2}
TIMEOUT=${TIMEOUT:-1800}
PORT=${PORT:-18794}
. scripts/cluster.sh province
go build -o bin/coldchain ./cmd/coldchain || exit 1
# phase LABEL CMD...: one table row with seconds and max RSS (GB).
phase() {
  local label=$1; shift
  local s; s=$(date +%s.%N)
  timeout "$TIMEOUT" /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/out" 2>"$work/err"
  local rc=$? secs; secs=$(echo "$(date +%s.%N) - $s" | bc)
  local rss; rss=$(tail -1 "$work/rss" 2>/dev/null)
  if [ $rc -eq 0 ]; then
    printf '| %s | %.1f | %.2f |\n' "$label" "$secs" "$(echo "${rss:-0} / 1048576" | bc -l)"
  else
    printf '| %s | not finished (exit %d after %.0f s: %s) | |\n' "$label" "$rc" "$secs" "$(tail -1 "$work/err" | cut -c1-120)"
  fi
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '| phase | seconds | peak memory GB |\n|---|---|---|\n'
./bin/coldchain db start >/dev/null 2>&1
phase "generate + load $PRODUCERS producers, $COUNTIES counties" ./bin/coldchain demo --province --counties "$COUNTIES" --producers "$PRODUCERS"
url=$(./bin/coldchain db url)
county=$(psql "$url" -Atc "SELECT code FROM region WHERE level = 'county' ORDER BY code LIMIT 1")
pref=$(psql "$url" -Atc "SELECT code FROM region WHERE level = 'prefecture' ORDER BY code LIMIT 1")
prov=$(psql "$url" -Atc "SELECT code FROM region WHERE level = 'province' ORDER BY code LIMIT 1")
for r in "$county" "$pref" "$prov"; do
  n=$(psql "$url" -Atc "SELECT count(*) FROM producer WHERE region_code LIKE '$r%'")
  phase "coverage of $r ($n producers)" ./bin/coldchain coverage --region "$r" --travel geodesic
done
token=$(./bin/coldchain token create --role planner 2>/dev/null)
./bin/coldchain serve --workers "$WORKERS" --travel geodesic --addr "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
srv=$!
pids+=("$srv")
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
plan() { # label body
  local s; s=$(date +%s.%N)
  local id; id=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$2" "http://127.0.0.1:$PORT/api/v1/plans" | jq -r .id)
  local status=queued
  while [ "$(echo "$(date +%s.%N) - $s > $TIMEOUT" | bc)" = 0 ]; do
    status=$(curl -sf "http://127.0.0.1:$PORT/api/v1/plans/$id" | jq -r .status)
    [ "$status" = done ] || [ "$status" = failed ] && break
    sleep 1
  done
  local secs; secs=$(echo "$(date +%s.%N) - $s" | bc)
  local rss; rss=$(awk '/VmHWM/ {print $2}' "/proc/$srv/status")
  local sum; sum=$(curl -sf "http://127.0.0.1:$PORT/api/v1/plans/$id" |
    jq -r '"\(.status): \(.parts_progress.done // 0) of \(.parts_progress.total // 0) parts done, \(.parts_progress.failed // 0) failed, objective \(.result.objective // 0 | floor)"')
  printf '| %s (%s) | %.1f | %.2f (server so far) |\n' "$1" "$sum" "$secs" "$(echo "${rss:-0} / 1048576" | bc -l)"
}
plan "MCLP over the province, p = $((COUNTIES * 2)), $LIMIT s per county" \
  "{\"problem\": \"mclp\", \"facility_type\": \"precooling\", \"tier\": \"field\", \"product_classes\": [\"leafy_vegetable\", \"fruit\"], \"p\": $((COUNTIES * 2)), \"candidates\": \"user\", \"time_limit_s\": $LIMIT, \"region\": \"$prov\"}"
plan "capacity plan over the province, budget $((COUNTIES * 1000)), $LIMIT s per county" \
  "{\"problem\": \"capacity\", \"facility_type\": \"cold_room\", \"tier\": \"township\", \"product_classes\": [\"leafy_vegetable\"], \"budget\": $((COUNTIES * 1000)), \"candidates\": \"user\", \"time_limit_s\": $LIMIT, \"region\": \"$prov\"}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
