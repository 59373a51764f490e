# Warnings and sanitizers, applied per target.
function(eventd_set_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
  if(EVENTD_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(EVENTD_FUZZ)
    # Coverage for libFuzzer without its main(); the fuzz targets themselves link with -fsanitize=fuzzer.
    # No -fsanitize=function: with clang 14 its prologue data breaks on coroutines ("Cannot represent a difference
    # across sections" in src/http/server.cpp).
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                                             -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
