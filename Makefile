# glassbox: the two commands a newcomer needs are `make run` and `make test`.
#
# Build tags stay the same everywhere (none): a new tag recompiles SQLite's C
# source, which takes about two minutes on a 2-core machine. The race
# detector (make test) is such a build too: SQLite is compiled once for it
# and once for the binary the tests start, then both are cached.

GO      ?= go
BIN     := bin/glassbox
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Extra arguments for `make run`, e.g. make run ARGS="--listen 127.0.0.1:9090"
ARGS    ?=
# `make bench`: rounds of the proxy benchmark (at least 3) and where it writes.
BENCH_ROUNDS ?= 3
BENCH_OUT    ?= docs/BENCHMARKS.md

# `make fuzz`: how long each fuzz target runs; `make soak`: how long the soak holds its load.
FUZZTIME ?= 60s
SOAK     ?= 5m

.PHONY: build run test lint bench fuzz soak clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/glassbox

# Starts glassbox on 127.0.0.1:8080 (and [::1]:8080) on the embedded SQLite default.
run: build
	./$(BIN) $(ARGS)

# All tests, under the race detector. The first run compiles SQLite twice
# (with and without the detector: a few minutes on 2 cores); later runs
# take about a minute.
test:
	$(GO) test -race -count=1 -timeout 30m ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	./.ci/check-imports
	$(GO) run ./.ci/sizecheck

# Go micro-benchmarks of the hot paths, then glassbox against no proxy, a bare
# goproxy and mitmdump (when installed) on loopback: prints the table and
# rewrites docs/BENCHMARKS.md (keeping its notes section). About 6 minutes on
# 2 cores; fails if glassbox did not store every request it was sent.
# Smoke test: go run ./cmd/glassbox-bench -quick
bench:
	$(GO) test -count=1 -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/glassbox-bench -rounds $(BENCH_ROUNDS) -out $(BENCH_OUT)

# Every fuzz target of a parser glassbox owns, FUZZTIME each (CI runs them
# briefly). Their seed corpora are in the tests (f.Add) and testdata/fuzz.
FUZZ_TARGETS := \
	./store/har/internal/fuzz:FuzzImport \
	./store:FuzzGrouper \
	./proxy:FuzzParseHello \
	./proxy/wire:FuzzH1 \
	./proxy/wire:FuzzH2 \
	./proxy/resolver:FuzzAnswerHandling \
	./inspector/model:FuzzParseFilter \
	./store/sqlite:FuzzHeadersJSON \
	./store/codec:FuzzDecode \
	./store:FuzzNormalizeURL \
	./store/refs:FuzzRefs \
	./store/textsafe:FuzzSanitize \
	./inspector/export:FuzzShellQuote
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		if [ ! -d "$$pkg" ]; then echo "fuzz: $$pkg not found, skipping $$name"; continue; fi; \
		echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	done

# The soak test at length: steady mixed load for SOAK, memory and
# goroutines flat, every request stored. `make test` runs it for seconds.
soak:
	GLASSBOX_SOAK=$(SOAK) $(GO) test -count=1 -run '^TestSoak$$' -v -timeout 0 ./cmd/glassbox

clean:
	rm -rf bin
