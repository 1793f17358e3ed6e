#!/usr/bin/env bash
# Import benchmark: `coldchain import producers FILE.csv` side by side with
# GDAL's ogr2ogr (PostgreSQL driver, COPY mode, GiST index) on the same
# generated producer CSV files (scripts/genproducers), into the same
# embedded cluster, in one run. The demo county's regions are loaded first,
# so that coldchain's import assigns region codes as it does in use.
#
# SIZES (default "200000 1000000") are the row counts; each size is run
# with producers spread over 8° × 6° (the genproducers default: few fall in
# the county) and, with INSIDE=1 (default), once more with every producer
# inside the demo county (every row gets a region code). FORMATS=geojson
# adds the GeoJSON files. Prints seconds and the speed-up ogr2ogr /
# coldchain, and the load average before and after: on a shared machine,
# both tools suffer alike, but say so with the figures. Each time comes with
# the CPU seconds the whole machine spent on the run (tool and server).
# With FLOOR=1 (default) a last column times the server's floor for each
# file (see floor below): what any import that keeps coldchain's indexes
# must spend, whatever its design. Needs gdal-bin.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"200000 1000000"}
INSIDE=${INSIDE:-1}
FORMATS=${FORMATS:-csv}
FLOOR=${FLOOR:-1}
. scripts/cluster.sh import
command -v ogr2ogr >/dev/null || { echo "ogr2ogr not found: apt-get install gdal-bin" >&2; exit 1; }
go build -o bin/coldchain ./cmd/coldchain
./bin/coldchain db start >/dev/null
url=$(./bin/coldchain db url)
host=$(sed -E 's/.*host=([^&]+).*/\1/' <<<"$url" | sed 's/%2F/\//g')
conn="host=$host port=5432 user=coldchain dbname=coldchain"
pg="PG:$conn"
./bin/coldchain import regions geodata/regions.geojson >/dev/null 2>&1
# cpu: the machine's busy CPU seconds so far (user, nice, system, irq,
# softirq from /proc/stat): a run's difference is what both the tool and
# the PostgreSQL server spent on it, the one figure that says whether a
# speed-up can still come from using more cores.
cpu() { awk '/^cpu /{printf "%.2f", ($2+$3+$4+$7+$8)/100}' /proc/stat; }
# secs: "wall cpu" seconds of one run.
secs() {
  local s c
  s=$(date +%s.%N) c=$(cpu)
  "$@" >/dev/null 2>&1
  echo "$(echo "$(date +%s.%N) - $s" | bc) $(echo "$(cpu) - $c" | bc)"
}
reset() { psql "$conn" -qc 'TRUNCATE producer' -c 'DROP TABLE IF EXISTS ogr_bench' -c 'CHECKPOINT' >/dev/null 2>&1; }
ogr() {
  case "$1" in
  *.csv) PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$pg" "$1" -nln ogr_bench -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat \
           -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST ;;
  *) PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$pg" "$1" -nln ogr_bench -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST ;;
  esac
}
# floor: the least the server must do to store the imported rows as
# coldchain keeps them, timed on the rows just imported: one binary COPY
# into a new table without indexes, then each index of producer built on
# it, one after the other (milliseconds, as psql times them).
floor() {
  psql "$conn" -qc "\\copy producer TO '$work/floor.bin' (FORMAT binary)" \
    -c 'DROP TABLE IF EXISTS floor_bench' -c 'CREATE TABLE floor_bench (LIKE producer)' >/dev/null 2>&1
  local idx; idx=$(psql "$conn" -Atc "SELECT string_agg(replace(replace(pg_get_indexdef(indexrelid), 'INDEX ' || c.relname, 'INDEX'),
    'public.producer ', 'floor_bench '), ';' ORDER BY c.relname) || ';' FROM pg_index JOIN pg_class c ON c.oid = indexrelid
    WHERE indrelid = 'producer'::regclass")
  local t; t=$( { echo '\timing on'; echo "\\copy floor_bench FROM '$work/floor.bin' (FORMAT binary)"; sed 's/;/;\n/g' <<<"$idx"; } |
    psql "$conn" -q 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | paste -sd' ')
  psql "$conn" -qc 'DROP TABLE floor_bench' >/dev/null; rm -f "$work/floor.bin"
  awk '{s = 0; for (i = 2; i <= NF; i++) s += $i; printf "COPY %.0f ms + %d indexes %.0f ms = %.2f s", $1, NF - 1, s, ($1 + s) / 1000}' <<<"$t"
}
row() { # label file
  reset; local c; c=($(secs ./bin/coldchain import producers "$2"))
  local n; n=$(psql "$conn" -Atc "SELECT count(*) || ' rows, ' || count(region_code) || ' with a region' FROM producer")
  local f=-; [ "$FLOOR" = 1 ] && f=$(floor)
  reset; local o; o=($(secs ogr "$2"))
  printf '| %s | %.2f (%.2f) | %.2f (%.2f) | %.2f× | %s | %s |\n' "$1" "${c[0]}" "${c[1]}" "${o[0]}" "${o[1]}" \
    "$(echo "${o[0]} / ${c[0]}" | bc -l)" "$n" "$f"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '| file | coldchain import s (CPU s) | ogr2ogr (COPY) s (CPU s) | speed-up | coldchain stored | server floor |\n|---|---|---|---|---|---|\n'
for n in $SIZES; do
  mkdir -p "$work/$n" "$work/$n-in"
  go run ./scripts/genproducers -n "$n" -dir "$work/$n"
  for f in $FORMATS; do row "$n producers, spread ($f)" "$work/$n/producers.$f"; done
  if [ "$INSIDE" = 1 ]; then
    go run ./scripts/genproducers -n "$n" -dir "$work/$n-in" -bbox 114.02,26.5,114.38,26.8
    for f in $FORMATS; do row "$n producers, in the county ($f)" "$work/$n-in/producers.$f"; done
  fi
  rm -rf "$work/$n" "$work/$n-in"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
