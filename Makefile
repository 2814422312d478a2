# carechat: the two commands a fresh Debian 12 machine needs are `make run` and `make test`.
# Each installs what is missing (scripts/install-deps.sh), builds, then runs or tests.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
DB         ?= var/carechat.db
LISTEN     ?= 127.0.0.1:8080

.PHONY: deps build run test test-asan test-only clean

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Starts the server on SQLite with the demo tenant gh/sb-demo and prints where to look.
run: build
	@mkdir -p $(dir $(DB))
	@$(BUILD)/carechat demo --db $(DB) --listen $(LISTEN)
	@exec $(BUILD)/carechat serve --db $(DB) --listen $(LISTEN)

# Every test: unit and integration on the normal build.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCARECHAT_SANITIZE=ON

# The same tests on an AddressSanitizer + UndefinedBehaviorSanitizer build.
test-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
