# Code generation choices that measurably change the parser's speed
# (docs/performance.md, "The seventh round").
#
# GCC's generic x86-64 tuning clears small fixed-size objects (a Message's
# per-header counters, a NameAddr or Via reset before it is filled) with
# `rep stos`, whose start-up cost on current cores exceeds the clear itself
# at these sizes. Vector stores up to 1 KiB, the C library's memset above.
# Optimised builds only: the debug build's compile commands stay readable by
# Clang's tools (clang-tidy, clangd), which do not know the option.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$")
  add_compile_options(
    "$<$<CONFIG:Release,RelWithDebInfo>:-mmemset-strategy=vector_loop:1024:noalign,libcall:-1:noalign>")
endif()
