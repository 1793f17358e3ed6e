#!/usr/bin/env bash
# worker-speedup.sh: how much faster one province plan finishes on two
# `coldchain worker` processes than on one. It loads the synthetic province
# (coldchain demo --province) into a throwaway embedded cluster, starts
# `serve --workers 0`, then for 1 and 2 workers submits the same plan (its
# county parts are jobs) and times it from submission to the stored plan.
#
#   scripts/worker-speedup.sh [BODY]     (BODY: the plan request, JSON)
#
# Needs bin/coldchain (make build), curl and jq. Timings depend on the
# machine's load: say so when quoting them.
set -euo pipefail

BIN=${BIN:-bin/coldchain}
BODY=${1:-'{"problem": "mclp", "facility_type": "precooling", "tier": "field", "product_classes": ["leafy_vegetable", "fruit"], "p": 24, "candidates": "user", "time_limit_s": 10, "region": "39"}'}
HOME_DIR=$(mktemp -d /tmp/coldchain-speedup-XXXX)
chmod 755 "$HOME_DIR" # the postgres user must reach the cluster folder
export COLDCHAIN_HOME=$HOME_DIR DATABASE_URL=
PORT=${PORT:-18093}
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	COLDCHAIN_HOME=$HOME_DIR DATABASE_URL= "$BIN" db stop >/dev/null 2>&1 || true
	rm -rf "$HOME_DIR"
}
trap cleanup EXIT

"$BIN" demo --province >/dev/null
DB=$("$BIN" db url)
export COLDCHAIN_HOME= DATABASE_URL=$DB
TOKEN=$("$BIN" token create --role planner)
"$BIN" serve --workers 0 --addr "127.0.0.1:$PORT" 2>"$HOME_DIR/serve.log" &
pids+=($!)
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.5; done

for n in 1 2; do
	wpids=()
	for i in $(seq "$n"); do
		"$BIN" worker --workers 1 2>"$HOME_DIR/worker-$n-$i.log" &
		wpids+=($!)
	done
	for i in $(seq "$n"); do
		until grep -q 'msg="taking jobs"' "$HOME_DIR/worker-$n-$i.log"; do sleep 0.5; done
	done
	start=$(date +%s.%N)
	id=$(curl -fs -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "$BODY" "http://127.0.0.1:$PORT/api/v1/plans" | jq -r .id)
	while :; do
		status=$(curl -fs "http://127.0.0.1:$PORT/api/v1/plans/$id" | jq -r .status)
		[ "$status" = done ] || [ "$status" = failed ] && break
		sleep 0.5
	done
	end=$(date +%s.%N)
	parts=$(curl -fs "http://127.0.0.1:$PORT/api/v1/plans/$id" | jq '[.result.parts[]? | select(.status == "done")] | length')
	printf 'workers=%d plan=%s status=%s parts_done=%s seconds=%.1f\n' "$n" "$id" "$status" "$parts" "$(echo "$end - $start" | bc)"
	for p in "${wpids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
done
