# wsc: `make run` to try it, `make test` to check it. Both install what is missing first.

SWIFT      ?= swift
URL        ?=
VENV       ?= .venv-test
APT_PACKAGES := libedit-dev zlib1g-dev tmux openssl python3-venv time microsocks

# Root installs directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build release deps test-deps clean man

## Install the Debian packages that are missing (only those).
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## Python `websockets` (from PyPI) for the interop tests, in a venv of the repo's own.
test-deps: deps
	@[ -x $(VENV)/bin/python ] || python3 -m venv $(VENV)
	@$(VENV)/bin/python -c "import websockets" 2>/dev/null || $(VENV)/bin/pip install -q websockets

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Open the prompt: on URL= if given, else on an echo server inside wsc.
run: release
	@if [ -n "$(URL)" ]; then exec .build/release/wsc "$(URL)"; else exec .build/release/wsc --local-echo; fi

## Every test: unit, integration, end to end (pty via tmux), interop.
test: test-deps
	$(SWIFT) build
	WSC_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python $(SWIFT) test

## Regenerate the man page's option list from the code (then edit man/wsc.1 by hand to merge).
man: build
	$(SWIFT) package plugin --allow-writing-to-package-directory generate-manual --output-directory man/generated

clean:
	rm -rf .build $(VENV)
