# -DALERTGATE_SANITIZE=address,undefined  or  -DALERTGATE_SANITIZE=thread
if(ALERTGATE_SANITIZE)
  message(STATUS "alertgate: sanitizers ${ALERTGATE_SANITIZE}")
  add_compile_options(-fsanitize=${ALERTGATE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${ALERTGATE_SANITIZE})
endif()
