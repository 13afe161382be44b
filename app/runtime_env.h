#pragma once
// The process environment LiteFER's analysing programs need before any library starts
// (litefer, litefer-cli analyze / bench-pipeline / soak). One place, so that the GUI and the
// command line cannot drift apart.
//
// - OMP_NUM_THREADS=1 (RUNTIME.md "Threads"): libgomp, loaded with LibTorch, reads it in its
//   constructor, before main(); a setenv() in main() is too late (measured: a thread started
//   afterwards still saw omp_get_max_threads() == 2 on the 2-core target). Without it OpenCV's
//   TBB pool and LibTorch's OpenMP pool fight over the cores.
// - MALLOC_ARENA_MAX=1: with glibc's default (one arena per thread, up to 8 x cores) a single
//   long `soak` session grew from 219 to ~680 MB resident in 9 minutes, frames being allocated
//   and freed on different threads; with one arena it stayed flat (201 -> 209 MB;
//   docs/reliability.md). glibc also reads it at start.
//
// Both are only present from the start of a process, so the program re-executes itself
// (/proc/self/exe, same arguments) with them added. A value the user set is kept, and a set
// OMP_NUM_THREADS means "already arranged": no re-execution.
#include <stdlib.h>
#include <unistd.h>

namespace litefer::app {

/// Re-executes the program with the environment above when OMP_NUM_THREADS is unset. Returns
/// only when no re-execution happened (already set, or exec failed: then the thread counts set
/// in code are all there is).
inline void reexecWithRuntimeEnv(const char* const* argv) {
    if (getenv("OMP_NUM_THREADS") != nullptr) {
        return;
    }
    setenv("OMP_NUM_THREADS", "1", /*overwrite=*/0);
    setenv("MALLOC_ARENA_MAX", "1", /*overwrite=*/0);
    execv("/proc/self/exe", const_cast<char* const*>(argv));  // NOLINT: execv's historic type
}

}  // namespace litefer::app
