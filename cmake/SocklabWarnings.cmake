# socklab_warnings(target): the project's warning set. MSVC's C compiler has no VLAs, so they are an
# error everywhere; -Werror comes from SOCKLAB_WERROR (on in every preset and in CI).
function(socklab_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /wd4100 /D_CRT_SECURE_NO_WARNINGS)
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
