function(sipline_apply_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wconversion -Wsign-conversion -Wnull-dereference -Wimplicit-fallthrough)
  if(SIPLINE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
