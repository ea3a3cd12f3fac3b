# glassbox: the two commands a newcomer needs are `make run` and `make test`.
#
# Build tags stay the same everywhere (none): a new tag recompiles SQLite's C
# source, which takes two to three minutes on a 2-core machine (measured
# cold: 2 min 40 s for `make build`, 2 min for the race detector's build).
# The race detector (make test) is such a build too: SQLite is compiled once
# for it and once for the binary the tests start, then both are cached.

GO      ?= go
BIN     := bin/glassbox
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Extra arguments for `make run`, e.g. make run ARGS="--listen 127.0.0.1:9090"
ARGS    ?=
# `make bench`: rounds of the proxy benchmark (at least 3) and where it writes.
# Five: a target is judged on the median of the rounds' ratios, which one
# loud round then cannot move (about 10 minutes, after the micro-benchmarks).
BENCH_ROUNDS ?= 5
BENCH_OUT    ?= docs/BENCHMARKS.md

# `make fuzz`: how long each fuzz target runs; `make soak`: how long the soak holds its load.
FUZZTIME ?= 60s
SOAK     ?= 5m

.PHONY: build run test lint bench fuzz soak clean

# first-build says, before a build that will compile SQLite's C source (Go
# reports the cached copy stale), what is compiling and how long it takes:
# without it the first `make run` shows one `go build` line for minutes.
SQLITE_PKG := github.com/mattn/go-sqlite3
define first-build
	@if [ "$$($(GO) list $(1) -f '{{.Stale}}' $(SQLITE_PKG) 2>/dev/null)" = true ]; then \
		echo "First build$(2): compiling SQLite's C source (go-sqlite3) once. It takes 2-3 minutes on 2 cores,"; \
		echo "longer on a busy machine, with no output meanwhile; later builds take seconds."; \
	fi
endef

build:
	$(call first-build,,)
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/glassbox

# Starts glassbox on 127.0.0.1:8080 (and [::1]:8080) on the embedded SQLite default.
run: build
	./$(BIN) $(ARGS)

# All tests, under the race detector. The first run compiles SQLite twice
# (with and without the detector: a few minutes on 2 cores); later runs
# take about a minute.
test:
	$(call first-build,-race, with the race detector)
	$(call first-build,,)
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
	./proxy/wire:FuzzWebSocket \
	./proxy/wire:FuzzEventStream \
	./proxy/resolver:FuzzAnswerHandling \
	./inspector/model:FuzzParseFilter \
	./store/sqlite:FuzzHeadersJSON \
	./store/codec:FuzzDecode \
	./store:FuzzNormalizeURL \
	./store/refs:FuzzRefs \
	./store/textsafe:FuzzSanitize \
	./inspector/export:FuzzShellQuote
# .ci/fuzz retries a run that Go 1.26's coordinator fails at the deadline
# having found nothing (golang.org/issue/75804).
fuzz:
	@GO=$(GO) ./.ci/fuzz $(FUZZTIME) $(FUZZ_TARGETS)

# The soak test at length: steady mixed load for SOAK, memory and
# goroutines flat, every request stored. `make test` runs it for seconds.
soak:
	GLASSBOX_SOAK=$(SOAK) $(GO) test -count=1 -run '^TestSoak$$' -v -timeout 0 ./cmd/glassbox

clean:
	rm -rf bin
