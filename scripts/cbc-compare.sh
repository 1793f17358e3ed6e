#!/usr/bin/env bash
# cbc-compare.sh solves one standalone instance twice, exactly with CBC (on
# the engine's own MIP model, locate.WriteLP) and with `coldchain solve`,
# and prints both objectives and times with their ratios.
#
# Usage:
#   scripts/cbc-compare.sh FILE --format FORMAT --problem pmedian|mclp|cflp \
#       [--p N] [--radius R] [--budget B] [--demand FILE] [--time-limit 600s]
#
# Examples (from the repository root):
#   scripts/cbc-compare.sh ../shared/benchmarks/sscflp-or/p1 --format sscflp --problem cflp
#   scripts/cbc-compare.sh ../shared/benchmarks/cpmp-sjc/SJC1.dat --format lorena --problem cflp
#   scripts/cbc-compare.sh ../shared/benchmarks/orlib-pmed/pmed1.txt --format orlib-pmed --problem pmedian
#
# Needs go and cbc (Debian: scripts/deps.sh bench installs coinor-cbc). The time limit
# applies to both solvers; CBC runs single-threaded. The LP file is written
# by the test hook TestWriteLPFile (internal/locate/lpmodel_test.go).
set -euo pipefail

usage() {
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -ge 1 ] || usage
file=$1
shift
format= problem= p= radius= budget= demand= limit=600s
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--format) format=$2 ;;
	--problem) problem=$2 ;;
	--p) p=$2 ;;
	--radius) radius=$2 ;;
	--budget) budget=$2 ;;
	--demand) demand=$2 ;;
	--time-limit) limit=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[ -n "$format" ] && [ -n "$problem" ] || usage
command -v cbc >/dev/null || { echo "cbc-compare: cbc not found (scripts/deps.sh bench, or apt-get install coinor-cbc)" >&2; exit 1; }

abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
file=$(abs "$file")
[ -z "$demand" ] || demand=$(abs "$demand")
case $limit in
*ms) secs=1 ;;
*m) secs=$((${limit%m} * 60)) ;;
*s) secs=${limit%s} ;;
*) secs=$limit limit=${limit}s ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lp=$work/model.lp

# 1. The MIP model.
(cd "$root" && COLDCHAIN_LP_IN=$file COLDCHAIN_LP_FORMAT=$format COLDCHAIN_LP_PROBLEM=$problem \
	COLDCHAIN_LP_P=$p COLDCHAIN_LP_RADIUS=$radius COLDCHAIN_LP_BUDGET=$budget \
	COLDCHAIN_LP_DEMAND=$demand COLDCHAIN_LP_OUT=$lp \
	go test ./internal/locate/ -run '^TestWriteLPFile$' -count=1 >"$work/lp.log" 2>&1) ||
	{ cat "$work/lp.log" >&2; exit 1; }

# 2. CBC.
cbc "$lp" -sec "$secs" -threads 1 -solve -quit >"$work/cbc.log" 2>&1 ||
	{ cat "$work/cbc.log" >&2; exit 1; }
cbc_status=$(sed -n 's/^Result - //p' "$work/cbc.log" | head -n 1)
cbc_obj=$(sed -n 's/^Objective value: *//p' "$work/cbc.log" | head -n 1)
cbc_secs=$(sed -n 's/.*(Wallclock seconds): *\([0-9.]*\).*/\1/p' "$work/cbc.log" | tail -n 1)

# 3. coldchain solve.
(cd "$root" && go build -o "$work/coldchain" ./cmd/coldchain)
if ! "$work/coldchain" solve --help 2>&1 | grep -- '--format' >/dev/null; then
	echo "cbc-compare: this build's \`coldchain solve\` cannot read instance files yet;" >&2
	echo "  CBC: objective $cbc_obj ($cbc_status) in ${cbc_secs}s" >&2
	echo "  compare with: COLDCHAIN_CBC=1 go test ./internal/locate/ -run TestCBCCompare -v" >&2
	exit 1
fi
args=(solve "$file" --format "$format" --problem "$problem" --time-limit "$limit" --seed 1)
[ -z "$p" ] || args+=(--p "$p")
[ -z "$radius" ] || args+=(--radius "$radius")
[ -z "$budget" ] || args+=(--budget "$budget")
[ -z "$demand" ] || args+=(--demand "$demand")
"$work/coldchain" "${args[@]}" >"$work/solve.json"
json=$(tr -d ' \n\t' <"$work/solve.json")
field() { printf '%s\n' "$json" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
cc_obj=$(field objective)
cc_bound=$(field bound)
cc_secs=$(field seconds)

awk -v name="$(basename "$file")" -v prob="$problem" \
	-v co="$cbc_obj" -v cs="$cbc_secs" -v st="$cbc_status" \
	-v ko="$cc_obj" -v kb="$cc_bound" -v ks="$cc_secs" 'BEGIN {
	printf "instance            %s (%s)\n", name, prob
	printf "CBC                 objective %.4f  %s  %.2f s\n", co, st, cs
	printf "coldchain solve     objective %.4f  bound %.4f  %.2f s\n", ko, kb, ks
	if (co != 0) printf "objective ratio     %.6f (coldchain / CBC)\n", ko / co
	if (ks > 0) printf "time ratio          %.1f (CBC / coldchain)\n", cs / ks
}'
