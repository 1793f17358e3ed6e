# coldchain: `make run` serves the demo county at http://localhost:8080;
# `make test` runs every test against a real PostGIS.
GO      ?= go
BIN     := bin/coldchain
ADDR    ?= :8080
export COLDCHAIN_HOME ?= $(CURDIR)/.coldchain

.PHONY: run test check build deps deps-test vet bench clean stop web fuzz

# The map UI (web/): sources and the npm lock file it is built from.
WEB_SRC := $(wildcard web/src/*) web/build.mjs web/package.json web/package-lock.json

run: deps build
	./$(BIN) demo
	./$(BIN) serve --addr $(ADDR)

test: check deps-test web
	$(GO) test -count=1 -timeout 30m ./...

# check: go.mod tidy, vet, gofmt and staticcheck (pinned; fetched through
# the Go module proxy on first use), then the report of functions over
# 80 lines (not failing yet).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

check:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) run $(STATICCHECK) ./...
	@$(GO) run ./scripts/funclen cmd internal geodata web scripts

# fuzz runs every fuzz target (func FuzzX in a _test.go file) for
# FUZZTIME each, one at a time, on top of its corpus in testdata/fuzz; a
# failing input is replayed alone before it fails the run (scripts/fuzz.sh).
FUZZTIME ?= 5s
fuzz:
	@GO=$(GO) scripts/fuzz.sh $(FUZZTIME)

build: web
	$(GO) build -o $(BIN) ./cmd/coldchain

# web builds the map UI into web/dist/ (embedded by the Go build): npm ci
# when the lock file changed, then esbuild (web/build.mjs).
web: web/dist/index.html

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

deps:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

vet:
	$(GO) vet ./...

# Engine quality and speed on the public benchmark instances (../shared/benchmarks).
bench: build
	./$(BIN) bench

stop: build
	./$(BIN) db stop

clean:
	-./$(BIN) db stop
	rm -rf bin .coldchain
	find web/dist -mindepth 1 ! -name .placeholder -delete
