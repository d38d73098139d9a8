# aios — make targets. `make help` lists them.
SHELL := /bin/bash
GO ?= go
BIN := bin
SAMPLES := hello fanout react pipeline research/researcher research/writer
# Extism plugins (plugins/*), built as wasm tools into bin/plugins.
PLUGINS := textkit
SIM := $(BIN)/llm-d-inference-sim
# Race-checked packages: where concurrency lives. internal/toolbench is a benchmark harness whose
# test only checks that its paths agree; under the race detector its plugin alone takes minutes to
# compile, so it runs with the rest. internal/cli is the commands' glue over the packages checked
# here (server, kernel, runtime, the root); its end-to-end scripts run real processes, browsers
# and a hundred agents at a time, and under the race detector took over 20 minutes on 2 cores, so
# it runs without it too (make test-race-cli runs it with it).
NORACE_INTERNAL := /internal/(toolbench|cli)(/|$$)
RACE_PKGS = ./kernel/... ./runtime/... ./hostcalls/... ./policy/... ./packager/... ./server/... ./journal/... . $(shell $(GO) list ./internal/... | grep -vE '$(NORACE_INTERNAL)')

.PHONY: help deps build build-debug binsize build-wasmtime samples plugins sim demo test test-go test-race-cli test-wasmtime test-sdk \
	fuzz bench bench-density bench-kernel bench-memory bench-tools bench-server bench-agents fmt vet lint fixtures screenshots clean rust test-rust

help: ## list targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t18

deps: ## install what the build and tests need when missing (gcc; node and the MCP test servers; chromium)
	@scripts/ensure-deps.sh
	@scripts/ensure-mcp.sh
	@scripts/ensure-chromium.sh
	@scripts/ensure-rust.sh

# Release binaries leave out the symbol table and DWARF (-s -w): a third of bin/aios, which
# stack traces do not need. Not -trimpath: it would compile every package again instead of
# sharing them with go vet and go test (docs/BENCHMARKS.md, "First build").
LDFLAGS_RELEASE := -ldflags='-s -w'

build: ## build bin/aios (wazero engine; stripped)
	$(GO) build $(LDFLAGS_RELEASE) -o $(BIN)/aios ./cmd/aios

build-debug: ## build bin/aios-debug with symbols and DWARF (debuggers, make binsize)
	$(GO) build -o $(BIN)/aios-debug ./cmd/aios

binsize: build-debug ## where bin/aios's bytes go, per module (scripts/binsize.go)
	$(GO) run scripts/binsize.go $(BIN)/aios-debug

build-wasmtime: deps ## build bin/aios-wasmtime (adds the wasmtime engine; cgo; stripped)
	$(GO) build $(LDFLAGS_RELEASE) -tags wasmtime -o $(BIN)/aios-wasmtime ./cmd/aios

samples: rust ## build the sample agents (Go, and Rust through make rust) into bin/samples/*.wasm
	@mkdir -p $(BIN)/samples
	cd samples && for s in $(SAMPLES); do GOOS=wasip1 GOARCH=wasm $(GO) build -o ../$(BIN)/samples/$$(basename $$s).wasm ./$$s || exit 1; done

plugins: ## build the Extism plugins into bin/plugins/*.wasm
	@mkdir -p $(BIN)/plugins
	for p in $(PLUGINS); do (cd plugins/$$p && GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o ../../$(BIN)/plugins/$$p.wasm .) || exit 1; done

sim: $(SIM) ## build the LLM simulator (llm-d-inference-sim) used by tests and benchmarks
$(SIM): tools/go.mod tools/go.sum
	tools/build-sim.sh

# Rust: sdk-rust and the Rust sample agents, built with scripts/cargo.sh (Debian's toolchain and
# crates offline when installed, scripts/ensure-rust.sh; else cargo and crates.io).
RUST_SAMPLES := hello-rust research/planner
CARGO := scripts/cargo.sh

rust: ## build the Rust samples into bin/samples (wasm32-wasi) and sdk-rust for wasm32-unknown-unknown
	@mkdir -p $(BIN)/samples
	$(CARGO) build --release --target wasm32-unknown-unknown --manifest-path sdk-rust/Cargo.toml
	for s in $(RUST_SAMPLES); do \
		$(CARGO) build --release --target wasm32-wasi --manifest-path samples/$$s/Cargo.toml && \
		cp samples/$$s/target/wasm32-wasi/release/$$(basename $$s).wasm $(BIN)/samples/$$(basename $$s).wasm || exit 1; \
	done

test-rust: rust ## sdk-rust's tests on the host, its docs, and its test agents built for wasm32-wasi
	$(CARGO) test --manifest-path sdk-rust/Cargo.toml
	$(CARGO) test --manifest-path samples/research/planner/Cargo.toml
	RUSTDOCFLAGS='-D warnings' $(CARGO) doc --no-deps --manifest-path sdk-rust/Cargo.toml
	$(CARGO) build --examples --target wasm32-wasi --manifest-path sdk-rust/Cargo.toml

demo: deps build samples plugins sim ## run the sample agents against the echo core and a local LLM server
	scripts/demo.sh

# The suites `make test` runs. Each runs even when an earlier one failed, so one failure does not
# hide the others; the recipe names the failed suites at the end and exits non-zero.
TEST_SUITES := lint test-go test-wasmtime test-sdk test-rust fuzz

test: deps build samples plugins sim ## run every test (what CI runs); every suite runs, failures listed at the end
	@failed=; for suite in $(TEST_SUITES); do \
		echo "== make $$suite"; \
		$(MAKE) --no-print-directory $$suite || failed="$$failed $$suite"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: all suites passed ($(TEST_SUITES))"

# internal/cli's race-checked scripts take about 6 minutes on 2 loaded cores: too near go test's
# default 10-minute limit per package, so the limit is raised, not left to decide a loaded run.
TEST_TIMEOUT := 30m

test-go: ## race-checked packages, then the rest; both run even if the first fails
	@status=0; \
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $(RACE_PKGS) || status=1; \
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $$($(GO) list ./... | grep -vE '/(kernel|runtime|hostcalls|policy|packager|server|journal|internal)(/|$$)|^github.com/aiosys/aios$$') ./internal/toolbench/... ./internal/cli/... || status=1; \
	exit $$status

test-race-cli: ## internal/cli's tests under the race detector (about 20 minutes on 2 cores)
	$(GO) test -race -count=1 -timeout 60m ./internal/cli/...

test-wasmtime: deps
	$(GO) test -tags wasmtime -count=1 ./runtime/...
	$(GO) test -tags wasmtime -count=1 -run '^TestSystemWasmtime' .

test-sdk:
	cd sdk-go && $(GO) vet ./... && $(GO) test -count=1 ./...
	cd sdk-go && GOOS=wasip1 GOARCH=wasm $(GO) build ./...

fuzz: ## a short run of every fuzz target
	scripts/fuzz.sh 10s

bench: build samples ## runtime benchmarks (docs/BENCHMARKS.md)
	scripts/bench.sh

# 100,000 minimal and 5,000 Go agents blocked at once on wazero, measured; it stops, failing,
# when the resident set passes DENSITY_BUDGET bytes (default 20 GiB). Not part of `make test`.
bench-density: ## per-agent host memory: 100,000 minimal and 5,000 Go agents alive at once (docs/BENCHMARKS.md)
	@mkdir -p bin/bench
	$(GO) test -run '^$$' -bench '^Benchmark(Density|ProcessHeap)$$' -benchtime 1x -timeout 60m -v \
		-density.minimal $${DENSITY_MINIMAL:-100000} -density.go $${DENSITY_GO:-5000} \
		-density.budget $${DENSITY_BUDGET:-21474836480} . >bin/bench/density.txt; \
		status=$$?; cat bin/bench/density.txt; exit $$status

bench-kernel: sim ## kernel benchmarks against the LLM simulator
	scripts/bench-kernel.sh

bench-memory: ## memory manager benchmarks: search at 10k and 100k entries (docs/BENCHMARKS.md, Memory)
	scripts/bench-memory.sh

bench-tools: deps ## tool-call benchmarks: kernel tool_call against direct MCP and Extism calls (docs/BENCHMARKS.md)
	scripts/bench-tools.sh

# COUNT rounds of 1,000 runs each; the raw output is kept in bin/bench/server-load.txt.
bench-server: sim ## kernel server: 1,000 runs through the HTTP API against the same through aios.System (docs/BENCHMARKS.md)
	@mkdir -p bin/bench
	@echo "machine: $$(nproc) cores, $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $$($(GO) version | cut -d' ' -f3); load average before: $$(cut -d' ' -f1-3 /proc/loadavg)"
	$(GO) test -run '^$$' -bench '^BenchmarkServerLoad$$' -benchtime 1x -count $${COUNT:-5} -timeout 30m ./server/ >bin/bench/server-load.txt || { cat bin/bench/server-load.txt; exit 1; }
	$(GO) run ./internal/benchtable/cmd -units 'runs/s,submit-p50-ms,submit-p99-ms,get-p50-ms,get-p99-ms,429s' -base '/api=/direct' <bin/bench/server-load.txt
	@echo "load average after: $$(cut -d' ' -f1-3 /proc/loadavg)"

bench-agents: build samples plugins sim ## 100 researchers (samples/research) as one planner's children vs 100 aios run processes (docs/BENCHMARKS.md)
	scripts/bench-agents.sh

screenshots: ## the web console's screenshots, docs/console-*.png, taken by its browser test (real server, real runs)
	@scripts/ensure-chromium.sh
	AIOS_CONSOLE_SCREENSHOTS=$(CURDIR)/docs $(GO) test -count=1 -run '^TestConsoleInBrowser$$' ./server

fixtures: ## rebuild testdata/*.wasm from their .wat sources (needs wat2wasm from wabt)
	testdata/build.sh

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

vet: ## go vet and gofmt check
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: run make fmt'; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags wasmtime ./runtime/...

lint: vet ## staticcheck (built from tools/lint/go.mod)
	cd tools/lint && $(GO) build -o ../../$(BIN)/staticcheck honnef.co/go/tools/cmd/staticcheck
	$(BIN)/staticcheck ./...
	$(BIN)/staticcheck -tags wasmtime ./runtime/...
	cd sdk-go && GOOS=wasip1 GOARCH=wasm ../$(BIN)/staticcheck ./... && ../$(BIN)/staticcheck ./...
	cd samples && GOOS=wasip1 GOARCH=wasm ../$(BIN)/staticcheck ./...
	for p in $(PLUGINS); do (cd plugins/$$p && GOOS=wasip1 GOARCH=wasm ../../$(BIN)/staticcheck .) || exit 1; done

clean:
	rm -rf $(BIN)
