# wsc: `make run` to try it, `make test` to check it. Both install what is missing first.

SHELL      := /bin/bash
SWIFT      ?= swift
URL        ?=
VENV       ?= .venv-test
# Autobahn|Testsuite's Python 3 port (setup.sh + run-client-suite.sh), beside the repo.
AUTOBAHN   ?= $(abspath $(firstword $(wildcard ../shared/autobahn /work/shared/autobahn)))
AUTOBAHN_ENV := .autobahn
AUTOBAHN_PORT ?= 9001
APT_PACKAGES := libedit-dev zlib1g-dev tmux openssl python3-venv time microsocks

# Root installs directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format build release order deps test-deps autobahn-deps conformance fuzz bench clean man

## Install the Debian packages that are missing (only those).
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## The Python peers (from PyPI) at the versions Tests/requirements.txt pins, in a venv of the
## repo's own; installed again whenever that file changes.
PEERS := Tests/requirements.txt
test-deps: deps autobahn-deps
	@[ -x $(VENV)/bin/python ] || python3 -m venv $(VENV)
	@cmp -s $(PEERS) $(VENV)/installed-requirements.txt || { \
	  $(VENV)/bin/pip install -q -r $(PEERS) && cp $(PEERS) $(VENV)/installed-requirements.txt; }

## Autobahn|Testsuite's fuzzing server, installed once into .autobahn (with the runner linked in).
autobahn-deps: deps
	@[ -n "$(AUTOBAHN)" ] && [ -f "$(AUTOBAHN)/setup.sh" ] || { \
	  echo "error: Autobahn|Testsuite (setup.sh, run-client-suite.sh) not found in ../shared/autobahn; give AUTOBAHN=DIR" >&2; exit 2; }
	@[ -x $(AUTOBAHN_ENV)/wstest ] || { echo "installing Autobahn|Testsuite into $(AUTOBAHN_ENV)"; \
	  bash "$(AUTOBAHN)/setup.sh" "$(CURDIR)/$(AUTOBAHN_ENV)" >$(AUTOBAHN_ENV).log 2>&1 || { cat $(AUTOBAHN_ENV).log >&2; exit 1; }; }
	@ln -sf "$(AUTOBAHN)/run-client-suite.sh" $(AUTOBAHN_ENV)/run-client-suite.sh

## The whole Autobahn client suite (cases 1-13, ~20 min in one lane) against the release build,
## by hand, with its HTML reports in .build/autobahn; `make test` runs it too, in two lanes.
conformance: release autobahn-deps
	$(AUTOBAHN_ENV)/run-client-suite.sh -a wsc -p $(AUTOBAHN_PORT) -o .build/autobahn -t 60 -- .build/release/wsc --echo {url}

build: deps
	$(SWIFT) build

## The release build links the Swift runtime statically, one section per function, with lld:
## the functions the workloads run (ORDER_FILE, from `make order`) side by side, the
## functions that have no symbol to order by together (LINKER_SCRIPT), relative relocations
## packed, no symbols exported. A run then maps a few MB of code, not most of the binary,
## and starts sooner (measured in bench/RESULTS.md).
ORDER_FILE := bench/wsc.order
LINKER_SCRIPT := bench/wsc.ld
## The C++ runtime goes in statically too: the toolchain's link line asks for -lstdc++ itself,
## and a directory holding only libstdc++.a, searched first, makes that the archive
## (libstdc++.so costs a run 1 MB, mostly its relocations). Without the archive, the .so.
STATIC_CXX_DIR := .build/static-libstdcxx
STATIC_CXX := $(shell clang -print-file-name=libstdc++.a 2>/dev/null)
RELEASE_FLAGS := --static-swift-stdlib -Xswiftc -L$(CURDIR)/$(STATIC_CXX_DIR) \
	-Xswiftc -Xfrontend -Xswiftc -function-sections -Xswiftc -use-ld=lld \
	-Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic \
	-Xlinker -T -Xlinker $(CURDIR)/$(LINKER_SCRIPT) \
	$(if $(wildcard $(ORDER_FILE)),-Xlinker --symbol-ordering-file=$(CURDIR)/$(ORDER_FILE) -Xlinker --no-warn-symbol-ordering)
release: deps
	@mkdir -p $(STATIC_CXX_DIR)
	@if [ -f "$(STATIC_CXX)" ]; then ln -sf "$(STATIC_CXX)" $(STATIC_CXX_DIR)/libstdc++.a; fi
	$(SWIFT) build -c release $(RELEASE_FLAGS)

## Rewrite ORDER_FILE from callgrind runs of the release build, then link wsc again with it.
order: release
	bench/run --write-order $(ORDER_FILE)
	rm -f .build/release/wsc
	$(SWIFT) build -c release $(RELEASE_FLAGS)

## Open the prompt: on URL= if given, else on an echo server inside wsc.
run: release
	@if [ -n "$(URL)" ]; then exec .build/release/wsc "$(URL)"; else exec .build/release/wsc --local-echo; fi

## Every test: unit and integration on the debug build (run-time checks on); end to end
## (pty via tmux), interop and Autobahn cases 1-13 on the release build, as users run it.
test: lint test-deps release
	$(SWIFT) build
	WSC_BINARY=$(CURDIR)/.build/release/wsc WSC_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python $(SWIFT) test

## The code's layout, as .swift-format says (120 columns): `make lint` checks it (first
## thing `make test` does), `make format` rewrites the files that differ.
FORMATTED := Package.swift Sources Tests
lint:
	$(SWIFT) format lint --strict --recursive $(FORMATTED)

format:
	$(SWIFT) format format --in-place --recursive $(FORMATTED)

## The benchmark: wsc against websocat and wscat, side by side (installs them if missing;
## about 15 minutes). Writes bench/RESULTS.md; `bench/run --help` for the knobs.
BENCH_ROUNDS ?= 5
bench: release
	python3 bench/run --rounds $(BENCH_ROUNDS) $(if $(BASELINE),--baseline $(BASELINE)) --results bench/RESULTS.md

FUZZ_TARGETS := slash header url json answer events frames certificate
FUZZ_SECONDS ?= 30

## libFuzzer (-sanitize=fuzzer,address) over every parser of outside input, FUZZ_SECONDS each.
## New inputs go to .build-fuzz/corpus; the seeds in Fuzz/corpus are read, never written.
fuzz: deps
	$(SWIFT) build --build-path .build-fuzz --product wsc-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$target; \
	  echo "== fuzzing $$target for $(FUZZ_SECONDS) s"; \
	  SWIFT_BACKTRACE=enable=no WSC_FUZZ_TARGET=$$target .build-fuzz/debug/wsc-fuzz \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 -artifact_prefix=.build-fuzz/ \
	    .build-fuzz/corpus/$$target Fuzz/corpus/$$target 2>&1 | grep -E '^(Done|stat::number_of_executed_units|==|SUMMARY)|Fatal error|crash-' ; \
	  [ $${PIPESTATUS[0]} -eq 0 ] || { echo "fuzz target $$target failed: see .build-fuzz/crash-*"; exit 1; }; \
	done

## Regenerate the man page's option list from the code (then edit man/wsc.1 by hand to merge).
man: build
	$(SWIFT) package plugin --allow-writing-to-package-directory generate-manual --output-directory man/generated

clean:
	rm -rf .build $(VENV) $(AUTOBAHN_ENV) $(AUTOBAHN_ENV).log
