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
# both tools suffer alike, but say so with the figures. Needs gdal-bin.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"200000 1000000"}
INSIDE=${INSIDE:-1}
FORMATS=${FORMATS:-csv}
. scripts/cluster.sh import
command -v ogr2ogr >/dev/null || { echo "ogr2ogr not found: apt-get install gdal-bin" >&2; exit 1; }
go build -o bin/coldchain ./cmd/coldchain
./bin/coldchain db start >/dev/null
url=$(./bin/coldchain db url)
host=$(sed -E 's/.*host=([^&]+).*/\1/' <<<"$url" | sed 's/%2F/\//g')
conn="host=$host port=5432 user=coldchain dbname=coldchain"
pg="PG:$conn"
./bin/coldchain import regions geodata/regions.geojson >/dev/null 2>&1
secs() { local s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
reset() { psql "$conn" -qc 'TRUNCATE producer' -c 'DROP TABLE IF EXISTS ogr_bench' -c 'CHECKPOINT' >/dev/null 2>&1; }
ogr() {
  case "$1" in
  *.csv) PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$pg" "$1" -nln ogr_bench -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat \
           -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST ;;
  *) PG_USE_COPY=YES ogr2ogr -f PostgreSQL "$pg" "$1" -nln ogr_bench -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST ;;
  esac
}
row() { # label file
  reset; local c; c=$(secs ./bin/coldchain import producers "$2")
  local n; n=$(psql "$conn" -Atc "SELECT count(*) || ' rows, ' || count(region_code) || ' with a region' FROM producer")
  reset; local o; o=$(secs ogr "$2")
  printf '| %s | %.1f | %.1f | %.2f× | %s |\n' "$1" "$c" "$o" "$(echo "$o / $c" | bc -l)" "$n"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '| file | coldchain import s | ogr2ogr (COPY) s | speed-up | coldchain stored |\n|---|---|---|---|---|\n'
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
