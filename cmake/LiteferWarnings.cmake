# litefer_set_warnings(<target>): the project's warning set, applied to our own targets only.
function(litefer_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
        -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
        -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
    if(LITEFER_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# LibTorch's imported target carries its include directories (as SYSTEM, so its warnings do
# not drown ours) and the C++ ABI flag.
function(litefer_use_torch target visibility)
    target_link_libraries(${target} ${visibility} torch)
endfunction()
