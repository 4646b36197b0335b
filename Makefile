# drover's build, test and check targets. `make check test` is what CI runs.
GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION     ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || echo v0.0.0-dev)
COMMIT      ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS     := -X github.com/drover/drover/cmd.version=$(VERSION) -X github.com/drover/drover/cmd.commit=$(COMMIT)

.PHONY: build test check fmt vet staticcheck tidy layers fuzz bench cross posix

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/drover .

test:
	$(GO) test -race -count=1 ./...

check: fmt vet staticcheck tidy layers cross posix

fmt:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(STATICCHECK) ./...

# The platforms drover is built for besides linux/amd64, built and vetted
# without cgo (README, Building). Windows is not among them.
CROSS ?= darwin/arm64 darwin/amd64 freebsd/amd64 linux/arm64
cross:
	@set -e; for p in $(CROSS); do \
		echo "GOOS=$${p%/*} GOARCH=$${p#*/} build and vet"; \
		GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build ./...; \
		GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) vet ./...; \
	done

# The portable POSIX process code that darwin and FreeBSD run, tested on
# Linux: the build tag drover_posix selects the _posix.go files instead of
# the _linux.go ones. They are in runner (spawn, pipes, spool, reap,
# escaped) and cmd/console (pipesize), whose tests run whole; of cmd's
# testscript scripts, the ones that drive processes, signals and job output
# end to end run again under the tag (the rest exercise no portable file,
# and running them twice would double CI's time).
POSIX_PKGS    ?= ./runner ./cmd/console ./cmd/interrupt
POSIX_SCRIPTS ?= watchdog|kill_tree|parent_death|sig.*|stopped_jobs|pause|stdout_closed|output_.*|run_basic|retries|deadline|usage|job_slot|resize|max_failures|examples
posix:
	$(GO) vet -tags drover_posix ./...
	$(GO) test -race -count=1 -tags drover_posix $(POSIX_PKGS)
	$(GO) test -race -count=1 -tags drover_posix -run 'TestScripts/($(POSIX_SCRIPTS))$$|TestRunInProcess' ./cmd

# go.mod and go.sum must be what `go mod tidy` makes of them.
tidy:
	$(GO) mod tidy -diff

# jobspec imports nothing of drover's; runner imports jobspec only and no UI
# package; nothing below cmd writes to the process's stdout or stderr.
layers:
	@.ci/check-layers

# Runs the decoder's fuzz target for a bounded time; what it finds lands in
# jobspec/testdata/fuzz and becomes a seed that `make test` runs.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./jobspec

# Benchmarks side by side with xargs, GNU parallel and a floor spawner; see
# bench/RESULTS.md. STREAM is the size of the streamed workload. cost.sh
# measures --order longest, --balance-by and reading a history.
ROUNDS ?= 5
STREAM ?= 20000
bench:
	STREAM=$(STREAM) bench/run.sh $(ROUNDS)
	bench/templates.sh
	bench/needs.sh
	bench/cost.sh 3
	$(GO) test -run '^$$' -bench . -benchtime 20x ./jobspec ./runner
	# The watchdog's cost per job: the two rows' difference, over 2000 jobs.
	$(GO) test -run '^$$' -bench '^BenchmarkExecute(Watched)?$$' -benchtime 2000x -count 5 ./runner
