# socklab_warnings(target): the project's warning set. MSVC's C compiler has no VLAs, so they are an
# error everywhere; -Werror comes from SOCKLAB_WERROR (on in every preset and in CI).
function(socklab_warnings target)
  if(MSVC)
    # /W3, not /W4: /W4's conversion warnings (C4244, C4267) have no gcc counterpart in this
    # project's Linux CI, so with /WX they would break Windows builds nobody here can see.
    # /utf-8: the sources are UTF-8 (the Korean texts); without it MSVC reads them in the system's
    # code page and the strings come out garbled.
    target_compile_options(${target} PRIVATE /W3 /utf-8 /D_CRT_SECURE_NO_WARNINGS /D_WINSOCK_DEPRECATED_NO_WARNINGS)
    if(SOCKLAB_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Werror=vla -Werror=pointer-arith
                                             -Werror=implicit-function-declaration -Wshadow
                                             -Wstrict-prototypes -Wmissing-prototypes)
    if(SOCKLAB_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
