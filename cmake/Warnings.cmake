function(sipline_apply_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wconversion -Wsign-conversion -Wimplicit-fallthrough
    # No -Wnull-dereference: it only acts with optimisation, where GCC 12
    # reports false positives inside Asio's inlined handlers.
    # Designated initializers that rely on member defaults are intended.
    -Wno-missing-field-initializers)
  if(SIPLINE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
