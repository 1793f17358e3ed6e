#!/usr/bin/env bash
# Installs the Debian packages coldchain needs, or says how.
#   scripts/deps.sh run    PostgreSQL 15 + PostGIS + pgRouting, and Node.js +
#                          npm (to build the map UI) when node or npm is absent
#   scripts/deps.sh test   the same, plus GDAL (ogrinfo), Chromium and a CJK
#                          font (the browser tests of the UI), and poppler-utils
#                          (pdftoppm, pdftotext: the report PDF test)
#   scripts/deps.sh bench  the same as test, plus CBC (coinor-cbc), the exact
#                          MIP solver scripts/cbc-compare.sh checks results with
# As root it runs apt-get; otherwise it prints the exact sudo command.
set -euo pipefail
what=${1:-run}
pkgs=(postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting zlib1g-dev)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  pkgs+=(nodejs npm)
fi
if [ "$what" = test ] || [ "$what" = bench ]; then
  pkgs+=(gdal-bin chromium fonts-wqy-microhei poppler-utils)
fi
if [ "$what" = bench ]; then
  pkgs+=(coinor-cbc)
fi
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ! command -v go >/dev/null 2>&1; then
  echo "coldchain needs Go 1.26 or newer on PATH (https://go.dev/doc/install)." >&2
  exit 1
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "coldchain needs these packages (Debian/Ubuntu names): ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "coldchain needs these Debian packages; install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package creates and starts a default cluster on port
# 5432; coldchain runs its own private cluster and does not need that one.
