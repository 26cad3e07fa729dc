# The two commands of README.md: `make run` and `make test`. Everything installs its own
# Debian packages first (scripts/install-deps.sh skips what is present).
BUILD        ?= build
BUILD_TYPE   ?= Release
JOBS         ?= $(shell nproc)
CMAKE_FLAGS  ?=
CONFIG       ?= config/alertgate.yaml
FUZZ_SECONDS ?= 20
BENCH_ARGS   ?=

.PHONY: all deps build run test asan-test fuzz-build fuzz-smoke bench bench-micro bench-ingest \
        bench-reload bench-delivery bench-kafka format clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/alertgate serve --config $(CONFIG)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan-test: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DALERTGATE_SANITIZE=address,undefined $(CMAKE_FLAGS)
	cmake --build build-asan -j $(JOBS) --target unit_tests
	cd build-asan && ctest --output-on-failure -j $(JOBS) -L unit -E kafka
	# The Kafka tests each run librdkafka mock clusters: one at a time under ASan, where
	# two of them at once on 2 cores starve each other's timeouts.
	cd build-asan && ctest --output-on-failure -j 1 -L unit -R kafka

# libFuzzer targets (clang): every decoder and the config loaders.
fuzz-build: deps
	CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DALERTGATE_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS)

fuzz-smoke: fuzz-build
	bash scripts/fuzz-smoke.sh build-fuzz $(FUZZ_SECONDS)

# Google Benchmark microbenchmarks (bench/micro/); e.g.
# `make bench BENCH_ARGS='--benchmark_filter=Fingerprint --benchmark_min_time=0.1'`.
bench: deps
	cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DALERTGATE_BENCH=ON
	cmake --build build-bench -j $(JOBS) --target alertgate_micro
	./build-bench/bench/micro/alertgate_micro $(BENCH_ARGS)

bench-micro: bench  # the former name

# Kafka: ingest mode -> the mock cluster, and router consumption (bench/kafka.sh).
bench-kafka: build
	bash bench/kafka.sh $(BUILD)/alertgate $(BUILD)/tests/kafka_mock_cluster

# HTTP ingest: alertgate vs nginx `return 202`, driven by wrk (bench/README.md).
bench-ingest: build
	bash bench/ingest.sh $(BUILD)/alertgate

# Policy reload with 1,200 tenants x 20 rules (bench/README.md).
bench-reload: build
	bash bench/reload.sh $(BUILD)/alertgate

# alertgate (memory, wal) vs nginx and Prometheus Alertmanager, ~6 min (bench/README.md).
.PHONY: bench-compare
bench-compare: build
	bash bench/compare.sh $(BUILD)/alertgate

# Delivery: notifications/s from one shard to nginx and to a 50 ms receiver (bench/README.md).
bench-delivery: build
	bash bench/delivery.sh $(BUILD)/alertgate

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build build-asan build-fuzz build-bench
