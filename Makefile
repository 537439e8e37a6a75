# strata: `make run` sets up and runs the demo; `make test` sets up and runs the suite.
SHELL := /bin/bash
.PHONY: all setup deps system-deps build run test bench bench-peers bench-10m clean

all: build

# Debian packages strata and its tests rely on: watchman (lossless file watching),
# Ceph's mon/osd/radosgw (a real S3 gateway for the s3: tests), chromium (the
# browser the serve tests drive), rclone (a WebDAV client for the serve tests).
SYSTEM_PKGS := watchman:watchman ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw ceph:ceph-common chromium:chromium rclone:rclone b3sum:b3sum zstd:zstd getfattr:attr setfacl:acl
system-deps:
	@missing=""; for pair in $(SYSTEM_PKGS); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
	      || echo "warning: could not install$$missing (watch falls back to inotify; S3 and browser tests will say they are skipped)"; \
	  else echo "warning: missing$$missing and not root: apt-get install$$missing"; fi; \
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

# issue #18: strata on 10,000,000 small files (~40 GB of disk, ~50 min to build
# the tree once; BENCH_DIR must be set, not /tmp). docs/bench.md, "Ten million files".
bench-10m: setup build
	node --import=tsx bench/peers/scale-10m.ts

clean:
	rm -rf dist node_modules/.installed
