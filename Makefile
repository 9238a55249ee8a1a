# firehose: build, test and demo entry points. `make test` works on a fresh
# Debian machine: it installs what is missing, builds, and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := build

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PYTHON ?= $(shell command -v python3)
WERROR := $(if $(CI),ON,OFF)

# Debian packages the build and the tests need (chromium: test_console loads
# firehose-local's web console in it, headless).
DEB_PACKAGES := build-essential cmake pkg-config \
  libcurl4-openssl-dev libssl-dev zlib1g-dev nlohmann-json3-dev \
  libspdlog-dev libfmt-dev libsimdjson-dev libcli11-dev libcpp-httplib-dev libtomlplusplus-dev libxxhash-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  chromium time

# Only when fuzzing: clang 14 and its libFuzzer runtime (-fsanitize=fuzzer links
# libclang_rt.fuzzer from libclang-rt-14-dev; libfuzzer-14-dev is the standalone copy).
FUZZ_PACKAGES := clang-14 libclang-rt-14-dev
ifneq ($(filter fuzz,$(MAKECMDGOALS)),)
DEB_PACKAGES += $(FUZZ_PACKAGES)
endif

# ccache, when installed, makes rebuilds across worktrees and clean clones cheap.
CCACHE := $(shell command -v ccache)
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=Release -DFIREHOSE_WERROR=$(WERROR) -DPYTHON3=$(PYTHON) \
  $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE) -DCMAKE_C_COMPILER_LAUNCHER=$(CCACHE))
# CI compiles `make build` / `make test` in unity batches (each header parsed once per batch, not
# once per file: a fresh CI machine has no ccache, and this about halves the stage); a developer's
# tree compiles file by file, so that a change rebuilds one file. UNITY=ON|OFF overrides.
UNITY ?= $(if $(CI),ON,OFF)

# $(call build_targets,BUILD_DIR,TARGETS): builds (every target when none is named). A unity batch
# fails when two of its files define the same file-local name (a merge can bring one): then say
# which list to extend, and rather than fail CI build the unit tests file by file (where most such
# names are; what compiled stays), then, if that fails too, everything. A collision found this way
# cost a CI run 40 minutes once: the warning is worth acting on.
define build_targets
	cmake --build $(1) -j $(JOBS) $(if $(2),--target $(2)) || { \
	  grep -q '^CMAKE_UNITY_BUILD:BOOL=ON' $(1)/CMakeCache.txt || exit 1; \
	  echo "warning: the unity build of $(1) failed (file-local names colliding in a batch? add the file" \
	    "to FIREHOSE_UNITY_ALONE in CMakeLists.txt); building the unit tests file by file"; \
	  cmake -S . -B $(1) -DFIREHOSE_UNITY_TESTS=OFF >/dev/null && \
	  cmake --build $(1) -j $(JOBS) $(if $(2),--target $(2)); } || { \
	  echo "warning: the unity build of $(1) failed again; building everything file by file"; \
	  cmake -S . -B $(1) -DCMAKE_UNITY_BUILD=OFF >/dev/null && \
	  cmake --build $(1) -j $(JOBS) $(if $(2),--target $(2)); }
endef

.PHONY: build-deps deps build test unit integration asan tsan clean demo

# Idempotent: apt-get update runs only when a package is missing.
# The Debian packages (compilers, libraries, test tools) first: `make build` on
# a fresh machine needs them as much as `make test` does.
build-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

deps: build-deps
	@$(PYTHON) -c "import boto3, moto" 2>/dev/null || { echo "error: $(PYTHON) lacks boto3/moto (needed by the integration tests)"; exit 1; }
	@command -v moto_server >/dev/null || $(PYTHON) -c "import moto.server" || { echo "error: moto_server not found"; exit 1; }
	@# Node.js and the AWS SDK for JavaScript v3 (pinned in package-lock.json) for test_local_js_sdk.
	@command -v node >/dev/null || { \
	  echo "installing: nodejs npm"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm; }
	@[ -d tests/integration/js/node_modules ] || npm ci --no-audit --no-fund --prefix tests/integration/js
	@[ -d resources/node_modules ] || npm ci --no-audit --no-fund --prefix resources

build: build-deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) -DCMAKE_UNITY_BUILD=$(UNITY) -UFIREHOSE_UNITY_TESTS >/dev/null
	$(call build_targets,$(BUILD_DIR),)

# The AWS example's flow on this machine, no AWS account needed (scripts/demo.sh).
demo: deps build
	BUILD_DIR=$(BUILD_DIR) scripts/demo.sh

test: deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

integration: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L integration

# Sanitizer builds (ASan+UBSan, TSan): only the binaries the tests run, at -O1 -g1 (line tables
# for the reports' stacks; half of -O2 -g's compile time) in unity batches (43 translation units
# instead of 200), so that CI runs both (docs/testing.md has the figures). Then the unit tests
# and the integration suite in its short mode (scripts/sanitizer-tests.sh).
SANITIZER_TARGETS := firehose firehose-local unit_tests
SANITIZER_CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  -DCMAKE_UNITY_BUILD=ON -DPYTHON3=$(PYTHON) $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE))
# Under TSan only the unit suites of the parts that run threads (a race needs two threads; the
# single-threaded suites run under ASan): the producer and its stages, the libcurl client and the
# scripted servers it talks to, credential caching and providers, firehose-local's server, gate and
# delivery. Only their files are compiled, and only they run.
TSAN_UNIT_SUITES := Producer|ProducerEndpoint|Dispatcher|Admission|Sender|Retrier|DeadLetter|MetricsPublisher|LatencyHistogram
TSAN_UNIT_SUITES := $(TSAN_UNIT_SUITES)|OutcomeResolver|AdaptiveRateLimiter|BatchPut|CurlHttpClientTest|CurlHttpsTest
TSAN_UNIT_SUITES := $(TSAN_UNIT_SUITES)|CloudWatchClientWireTest|CachingProvider|ContainerProvider|ImdsProvider
TSAN_UNIT_SUITES := $(TSAN_UNIT_SUITES)|AssumeRoleProvider|StsClient|WebIdentityProvider|DefaultChain|LocalServerTest
TSAN_UNIT_SUITES := $(TSAN_UNIT_SUITES)|DeliveryDirectory|DeliveryRecovery|MetricsStoreTest|WorkerPoolTest|MemoryBudget
asan tsan: deps
	cmake -S . -B build-$@ $(SANITIZER_CMAKE_FLAGS) -DFIREHOSE_SANITIZE=$(if $(filter asan,$@),address,thread) \
	  "-DFIREHOSE_UNIT_SUITES=$(if $(filter tsan,$@),$(TSAN_UNIT_SUITES))" -UFIREHOSE_UNITY_TESTS >/dev/null
	$(call build_targets,build-$@,$(SANITIZER_TARGETS))
	JOBS=$(JOBS) UNIT_SUITES="$(if $(filter tsan,$@),$(TSAN_UNIT_SUITES))" \
	  scripts/sanitizer-tests.sh build-$@ $(if $(filter asan,$@),address,thread)

# libFuzzer targets (tests/fuzz), built with Debian's clang 14 under ASan+UBSan,
# each run FUZZ_SECONDS (30) from its committed seed corpus; a crash fails.
FUZZ_SECONDS ?= 30
.PHONY: fuzz
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DFIREHOSE_SANITIZE=address -DFIREHOSE_FUZZ=ON -DPYTHON3=$(PYTHON) \
	  $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE)) >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh build-fuzz

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-fuzz

# Benchmarks (not tests, not part of `make test`). `make bench`: the side-by-side run of issue 16
# (bench/harness/run.py): firehose send, the seed's boto3 algorithm, threaded boto3, the JS SDK v3,
# the AWS CLI and the floor on the same data against one firehose-local; rewrites the generated
# section of docs/benchmarks.md and the plots in docs/img/. BENCH_SCALE=0.05 for a quick run
# (then the doc is left alone: the report is in build-bench/bench-results/report.md);
# BENCH_REPEATS=N repeats every run. `make bench-suites`: the older single-purpose scripts
# (bench/run_all.sh: server capacity, producer, quota, packing).
.PHONY: bench bench-deps bench-build bench-suites
BENCH_PACKAGES := gnuplot-nox openssl  # GNU time and Node.js: `deps` installs them
SUITE_PACKAGES := wrk libboost-dev hyperfine
BENCH_SCALE ?= 1
BENCH_REPEATS ?= 1
# $(call install_missing,PACKAGES): apt-get install of those not installed yet.
define install_missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef
bench-deps: deps
	$(call install_missing,$(BENCH_PACKAGES))
	@# The JS SDK v3 peer, pinned by its own lock file.
	@[ -d bench/peers/js/node_modules ] || npm ci --no-audit --no-fund --prefix bench/peers/js
	@command -v aws >/dev/null || echo "note: no aws command: the AWS CLI peer is not measured"

bench-build:
	cmake -S . -B build-bench $(CMAKE_FLAGS) -DFIREHOSE_BENCH=ON >/dev/null
	cmake --build build-bench -j $(JOBS) --target firehose firehose-local bench_client_floor

bench: bench-deps bench-build
	BENCH_SCALE=$(BENCH_SCALE) BENCH_REPEATS=$(BENCH_REPEATS) $(PYTHON) bench/harness/run.py --build build-bench \
	  $(if $(filter 1,$(BENCH_SCALE)),--update-doc docs/benchmarks.md --img-dir docs/img)

bench-suites: bench-deps
	$(call install_missing,$(SUITE_PACKAGES))
	cmake -S . -B build-bench $(CMAKE_FLAGS) -DFIREHOSE_BENCH=ON >/dev/null
	cmake --build build-bench -j $(JOBS) --target firehose firehose-local bench_httplib_candidate bench_beast_candidate bench_client_floor
	BUILD=build-bench bench/run_all.sh

# The fault-matrix soak of issue #11 at 1,000,000 records (`make test` runs it at 200,000):
# every fault of firehose-local at once, one crash and restart, every record reconciled. Builds only
# the two binaries it runs; SOAK_RECORDS=N overrides the size.
.PHONY: soak
soak:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS) --target firehose firehose-local
	cd tests/integration && FIREHOSE_BUILD_DIR=$(abspath $(BUILD_DIR)) SOAK_RECORDS=$${SOAK_RECORDS:-1000000} \
	  PYTHONDONTWRITEBYTECODE=1 $(PYTHON) -m unittest -v test_fault_matrix
