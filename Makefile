# strata: `make run` sets up and runs the demo; `make test` sets up and runs the suite.
SHELL := /bin/bash
.PHONY: all setup deps system-deps build run test bench bench-peers clean

all: build

# Debian packages strata relies on at run time (watchman: lossless file watching).
system-deps:
	@if ! command -v watchman >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing watchman (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq watchman >/dev/null) \
	      || echo "warning: could not install watchman; strata watch will fall back to inotify"; \
	  else echo "warning: watchman not installed and not root: strata watch will fall back to inotify (apt-get install watchman)"; fi; \
	fi

# npm ci refuses this lock when the registry lacks some optional platform packages
# (msgpackr-extract for darwin/win32 answer 404 here, so the lock cannot list them):
# then npm install, which follows the same lock for everything else.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund || npm install --no-audit --no-fund
	@touch $@

deps: node_modules/.installed

setup: system-deps deps

dist/cli/main.js: deps $(shell find src -name '*.ts')
	npx tsc -p tsconfig.json
	@chmod +x dist/cli/main.js

build: dist/cli/main.js

run: setup build
	bash demo/demo.sh

test: setup build
	npx ava

bench: setup build
	node --import=tsx bench/first-snapshot.ts

bench-peers: setup build
	bash bench/peers/run.sh

clean:
	rm -rf dist node_modules/.installed
