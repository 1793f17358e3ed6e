# coldchain: `make run` serves the demo county at http://localhost:8080;
# `make test` runs every test against a real PostGIS.
GO      ?= go
BIN     := bin/coldchain
ADDR    ?= :8080
export COLDCHAIN_HOME ?= $(CURDIR)/.coldchain

.PHONY: run test build deps deps-test vet bench clean stop

run: deps build
	./$(BIN) demo
	./$(BIN) serve --addr $(ADDR)

test: deps-test
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) test -count=1 -timeout 30m ./...

build:
	$(GO) build -o $(BIN) ./cmd/coldchain

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
