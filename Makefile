# glassbox: the two commands a newcomer needs are `make run` and `make test`.
#
# Build tags stay the same everywhere (none): a new tag recompiles SQLite's C
# source, which takes about two minutes on a 2-core machine.

GO      ?= go
BIN     := bin/glassbox
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Extra arguments for `make run`, e.g. make run ARGS="--listen 127.0.0.1:9090"
ARGS    ?=

.PHONY: build run test lint bench clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/glassbox

# Starts glassbox on 127.0.0.1:8080 (and [::1]:8080) on the embedded SQLite default.
run: build
	./$(BIN) $(ARGS)

# All tests. The first run compiles SQLite (about two minutes); later runs take seconds.
test:
	$(GO) test -count=1 -timeout 20m ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	./.ci/check-imports

bench:
	$(GO) test -count=1 -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
