# carechat: the two commands a fresh Debian 12 machine needs are `make run` and `make test`.
# Each installs what is missing (scripts/install-deps.sh), builds, then runs or tests.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 15
# Pinned to the clang whose libFuzzer runtime install-deps provides (clang-14, libclang-rt-14-dev).
FUZZ_CC    ?= clang-14
FUZZ_CXX   ?= clang++-14
JOBS       ?= $(shell nproc)
DB         ?= var/carechat.db
LISTEN     ?= 127.0.0.1:8080
RELEASE_BUILD ?= build-release

.PHONY: bench-deps deps build server run run-cluster test test-asan test-only fuzz clean web web-deps web-test e2e bench bench-quick package package-test

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The browser app (web/): npm ci when node_modules is missing or older than package-lock.json,
# then the bundle into web/dist, which the server serves (--web-root, default ./web/dist).
web-deps: deps
	@cd web && if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund; fi

web: web-deps
	cd web && npm run build

# The app's type check and unit tests (Node's built-in test runner).
web-test: web-deps
	cd web && npm run typecheck && npm test

# Only the server itself (not the tests): what `make run` needs, and all a newcomer waits for.
server: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target carechat

# Starts the server on SQLite with the demo tenant gh/sb-demo and prints where to look.
run: server web
	@mkdir -p $(dir $(DB))
	@$(BUILD)/carechat demo --db $(DB) --listen $(LISTEN)
	@exec $(BUILD)/carechat serve --db $(DB) --listen $(LISTEN)

# The clustered topology on this machine (docs/operations.md): a PostgreSQL primary and its synchronous
# standby, CLUSTER_NODES carechat nodes on 127.0.0.1:8081.., haproxy on LISTEN; throwaway data in var/cluster.
CLUSTER_NODES ?= 3
run-cluster: server web
	@bash scripts/run-cluster.sh $(BUILD)/carechat var/cluster $(LISTEN) $(CLUSTER_NODES)

# Every test: unit and integration on the normal build, the web app's, end-to-end, then the package
# (installed and purged on this machine; skipped when not root).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory web-test
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory package-test

# The Debian package (scripts/build-deb.sh, packaging/): the server and the web app from the normal
# build, the config file, the systemd unit; $(BUILD)/carechat_VERSION_ARCH.deb, linked as $(BUILD)/carechat.deb.
package: server web
	bash scripts/build-deb.sh $(BUILD)/carechat web/dist $(BUILD)

# Installs that package here with dpkg -i, runs it as its user, purges it (scripts/test-package.sh).
package-test: package
	bash scripts/test-package.sh $(BUILD)/carechat.deb

# End-to-end (web/e2e/): playwright-core drives Debian's chromium against the real server and app.
e2e: build web
	CARECHAT_BIN=$(BUILD)/carechat bash web/e2e/run.sh

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCARECHAT_SANITIZE=ON

# The same tests on an AddressSanitizer + UndefinedBehaviorSanitizer build.
test-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (fuzz/) on a clang ASan+UBSan build of core, domain and api, each run for
# FUZZ_SECONDS over a temporary copy of its seed corpus; fails if any finds a crash.
# Longer: make fuzz FUZZ_SECONDS=600. The RelWithDebInfo flags leave out -DNDEBUG: asserts stay on.
$(FUZZ_BUILD)/build.ninja:
	CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g" -DCARECHAT_FUZZ=ON

fuzz: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	bash scripts/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(JOBS)

# Benchmarks (bench/, docs/benchmarks.md): a Release build of the server in $(RELEASE_BUILD)/ (tests off;
# -Werror off: GCC 12 at -O3 reports a false -Wrestrict in std::string), the bench programs in
# $(RELEASE_BUILD)/bench/ (their own CMake project, never part of `make test`), then every figure beside
# its baseline; the table is printed and written to bench/results/latest.json. bench-quick: < 2 min.
BENCH_BUILD = { test -f $(RELEASE_BUILD)/build.ninja || cmake -S . -B $(RELEASE_BUILD) -G Ninja \
	    -DCMAKE_BUILD_TYPE=Release -DCARECHAT_TESTS=OFF -DCARECHAT_WERROR=OFF; } \
	&& cmake --build $(RELEASE_BUILD) --target carechat -j $(JOBS) \
	&& { test -f $(RELEASE_BUILD)/bench/build.ninja || cmake -S bench -B $(RELEASE_BUILD)/bench -G Ninja -DCMAKE_BUILD_TYPE=Release; } \
	&& cmake --build $(RELEASE_BUILD)/bench -j $(JOBS)

bench-deps: deps
	@bash scripts/install-deps.sh --bench

bench: bench-deps
	$(BENCH_BUILD)
	python3 bench/run.py --bin $(RELEASE_BUILD)/carechat --tools $(RELEASE_BUILD)/bench

bench-quick: bench-deps
	$(BENCH_BUILD)
	python3 bench/run.py --quick --bin $(RELEASE_BUILD)/carechat --tools $(RELEASE_BUILD)/bench

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
