# cluster.sh, sourced by the benchmark scripts (". scripts/cluster.sh NAME"
# from the repository's root): a throwaway embedded cluster in a folder of
# its own under /tmp (mode 755: the postgres user must reach it, which it
# cannot under root's home), stopped and removed on exit together with
# every process whose pid the script adds to pids.
work=$(mktemp -d "/tmp/coldchain-$1-XXXX")
chmod 755 "$work"
export COLDCHAIN_HOME=$work/home DATABASE_URL=
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  ./bin/coldchain db stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
