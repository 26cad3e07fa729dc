# Warnings for our own targets only (third-party headers are included as SYSTEM).
add_library(alertgate_warnings INTERFACE)
target_compile_options(alertgate_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                                                    -Wnon-virtual-dtor
                                                    # GCC 12 false positive on std::string (PR 105329)
                                                    -Wno-restrict)
if(ALERTGATE_WERROR)
  target_compile_options(alertgate_warnings INTERFACE -Werror)
endif()
