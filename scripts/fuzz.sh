#!/usr/bin/env bash
# fuzz.sh runs every fuzz target (func FuzzX in a _test.go file under
# internal/ or cmd/) for FUZZTIME each, one at a time, on top of its corpus
# in testdata/fuzz. Usage: scripts/fuzz.sh [FUZZTIME] (default 5s).
#
# What fails the run, and what does not:
#   - an input the target rejects is written to testdata/fuzz/FuzzX/ by Go;
#     it is replayed alone (go test -run FuzzX/<file>), and a replay that
#     fails stops the run with the input and the replay's output.
#   - any other non-zero exit prints the fuzzer's output and, after a
#     replay of the whole corpus, fails unless it is Go's own end-of-time
#     race (the bare "context deadline exceeded" of golang/go#51484 and
#     #56238: the coordinator's deadline fires while a worker is mid-call,
#     no input is written, nothing to replay). That one is reported as a
#     warning once the corpus replay passes.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${1:-${FUZZTIME:-5s}}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
warned=0

replay() { # replay DIR TARGET[/FILE]: the deterministic gate
	$GO test "$1" -run "^$2\$" -count=1
}

for f in $(grep -rl --include='*_test.go' '^func Fuzz' internal cmd | sort); do
	d=./$(dirname "$f")
	for t in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f"); do
		echo "fuzz $d $t ($FUZZTIME)"
		if $GO test "$d" -run '^$' -fuzz="^$t\$" -fuzztime="$FUZZTIME" >"$out" 2>&1; then
			continue
		fi
		written=$(sed -n 's/.*Failing input written to testdata\/fuzz\/[^/]*\/\([0-9a-f]*\).*/\1/p' "$out" | head -1)
		if [ -n "$written" ]; then
			echo "  $t wrote an input: $(dirname "$f")/testdata/fuzz/$t/$written"
			if ! replay "$d" "$t/$written"; then
				cat "$out"
				exit 1
			fi
			echo "  warning: the input replays cleanly alone (a worker hung or was killed under load); fuzzer output:"
			sed 's/^/    /' "$out" | tail -20
			warned=$((warned + 1))
			continue
		fi
		if ! replay "$d" "$t"; then
			cat "$out"
			exit 1
		fi
		if grep -q '^--- FAIL' "$out" && grep -q 'context deadline exceeded' "$out" &&
			! grep -qE 'panic:|fatal error:|_test\.go:[0-9]+:' "$out"; then
			echo "  warning: Go's end-of-fuzztime race (context deadline exceeded, no input written); corpus replay passed"
			warned=$((warned + 1))
			continue
		fi
		cat "$out"
		exit 1
	done
done
echo "fuzz: every target ran; $warned warning(s)"
