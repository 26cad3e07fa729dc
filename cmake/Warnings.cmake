# Warnings for our own targets only (third-party headers are included as SYSTEM).
add_library(alertgate_warnings INTERFACE)
target_compile_options(alertgate_warnings INTERFACE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # -Wno-restrict: GCC 12 false positive on std::string (PR 105329).
  # -Wno-maybe-uninitialized: GCC 12 false positives in <regex> (Catch2) under sanitizers.
  target_compile_options(alertgate_warnings INTERFACE -Wshadow=local -Wno-restrict
                                                      -Wno-maybe-uninitialized)
else()
  target_compile_options(alertgate_warnings INTERFACE -Wshadow-uncaptured-local)
endif()
if(ALERTGATE_WERROR)
  target_compile_options(alertgate_warnings INTERFACE -Werror)
endif()
