# Sanitizer and fuzzing builds (docs/reliability.md). Included by the top-level CMakeLists.txt
# before any target is defined, so the flags reach every target of the project (LibTorch,
# OpenCV and Qt themselves stay uninstrumented: they are prebuilt Debian libraries).
#
#   -DLITEFER_SANITIZE=ON   AddressSanitizer + UndefinedBehaviorSanitizer (gcc or clang), for
#                           the CI job in build-asan/. Findings are reported at run time; run
#                           with the options of .ci/run (halt_on_error) so that they fail tests.
#   -DLITEFER_FUZZ=ON       clang only: everything instrumented for libFuzzer coverage
#                           (-fsanitize=fuzzer-no-link) plus ASan + UBSan, and the fuzz/ targets
#                           linked with libFuzzer. Implies LITEFER_SANITIZE.
option(LITEFER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(LITEFER_FUZZ "Build the libFuzzer targets in fuzz/ (clang only; implies LITEFER_SANITIZE)"
       OFF)

if(LITEFER_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "LITEFER_FUZZ needs clang (libFuzzer): configure with "
                            "-DCMAKE_CXX_COMPILER=clang++-14 (Debian 12: apt-get install clang-14 "
                            "libclang-rt-14-dev, or LITEFER_SETUP_HARDENING=1 ./scripts/setup.sh)")
    endif()
    set(LITEFER_SANITIZE ON CACHE BOOL "" FORCE)
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(LITEFER_SANITIZE)
    # -fno-sanitize-recover is left off on purpose: UBSan suppressions only work for recoverable
    # checks, and UBSAN_OPTIONS=halt_on_error=1 (set by .ci/run) makes findings fatal anyway.
    # -g1: line tables for readable stacks without full debug info (LibTorch's headers would
    # make that huge and slow to link).
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -g1)
    add_link_options(-fsanitize=address,undefined)
    message(STATUS "LiteFER: ASan + UBSan build (${CMAKE_CXX_COMPILER_ID})")
endif()
