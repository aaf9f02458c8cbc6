function(sipline_apply_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wconversion -Wsign-conversion -Wnull-dereference -Wimplicit-fallthrough
    # Designated initializers that rely on member defaults are intended.
    -Wno-missing-field-initializers)
  if(SIPLINE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
