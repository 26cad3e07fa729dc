// AG_FUZZ_CHECK(cond): what every fuzz target asserts with. A violation prints the condition
// and aborts, so libFuzzer records the input (assert() would vanish in release builds).
#pragma once

#include <cstdio>
#include <cstdlib>

#define AG_FUZZ_CHECK(cond)                                                              \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
