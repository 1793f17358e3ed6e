#!/usr/bin/env bash
# Import benchmark: N producers (default 1,000,000) from CSV and from GeoJSON
# with `coldchain import`, side by side with GDAL's ogr2ogr (PostgreSQL
# driver, COPY mode) on the same files, into the same embedded cluster.
# Prints seconds and the ratio coldchain / ogr2ogr. Needs gdal-bin.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
work=$(mktemp -d /tmp/coldchain-bench-XXXX)
chmod 755 "$work"
export COLDCHAIN_HOME=$work/home DATABASE_URL=
trap './bin/coldchain db stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
go build -o bin/coldchain ./cmd/coldchain
go run ./scripts/genproducers -n "$N" -dir "$work"
./bin/coldchain db start >/dev/null
url=$(./bin/coldchain db url)
host=$(sed -E 's/.*host=([^&]+).*/\1/' <<<"$url" | sed 's/%2F/\//g')
pg="PG:host=$host port=5432 user=coldchain dbname=coldchain"
secs() { local s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
reset() { psql "host=$host port=5432 user=coldchain dbname=coldchain" -qc 'TRUNCATE producer; DROP TABLE IF EXISTS ogr_csv, ogr_geojson' >/dev/null; }
reset; c_csv=$(secs ./bin/coldchain import producers "$work/producers.csv")
reset; c_json=$(secs ./bin/coldchain import producers "$work/producers.geojson")
reset; o_csv=$(PG_USE_COPY=YES secs ogr2ogr -f PostgreSQL "$pg" "$work/producers.csv" -nln ogr_csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST)
reset; o_json=$(PG_USE_COPY=YES secs ogr2ogr -f PostgreSQL "$pg" "$work/producers.geojson" -nln ogr_geojson -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST)
printf '| format | coldchain import s | ogr2ogr (COPY) s | ratio |\n|---|---|---|---|\n'
printf '| CSV | %.1f | %.1f | %.2f |\n' "$c_csv" "$o_csv" "$(echo "$c_csv / $o_csv" | bc -l)"
printf '| GeoJSON | %.1f | %.1f | %.2f |\n' "$c_json" "$o_json" "$(echo "$c_json / $o_json" | bc -l)"
