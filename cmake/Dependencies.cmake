# Every dependency is a Debian 12 package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(simdjson REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(date REQUIRED)  # Debian libhowardhinnant-date-dev: IANA zones for mute_when
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

# moodycamel::ConcurrentQueue is header-only.
find_path(CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue/concurrentqueue.h REQUIRED)
add_library(concurrentqueue INTERFACE)
target_include_directories(concurrentqueue SYSTEM INTERFACE ${CONCURRENTQUEUE_INCLUDE_DIR})

if(NOT ALERTGATE_FUZZ)
  find_package(Boost 1.74 REQUIRED)
  find_package(CURL REQUIRED)  # Debian libcurl4-openssl-dev: HttpClient (src/sinks)
  find_package(CLI11 REQUIRED)
  pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)  # Debian librdkafka-dev
  find_package(prometheus-cpp REQUIRED COMPONENTS core)
  pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
  # The daemon allocates on one reactor and frees on another (alerts cross to their home
  # shard); jemalloc's thread caches handle that without glibc's arena locks and heap
  # trimming. Not with sanitizers, which bring their own allocator.
  if(NOT ALERTGATE_SANITIZE)
    pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  endif()
  if(ALERTGATE_TESTS)
    find_package(Catch2 2 REQUIRED)
  endif()
  if(ALERTGATE_BENCH)
    find_package(benchmark REQUIRED)
  endif()
endif()
