// Replays files through a fuzz target's entry function without libFuzzer, so that the normal
// build (gcc, Release) checks the seed corpus and every saved crash too (CTest fuzz_replay_*).
//
//   fuzz_replay_<name> PATH...   each PATH a file or a folder (all files below it, sorted);
//                                a missing folder is skipped (crashes/<name> may not exist)
//
// A crash, sanitizer report or uncaught exception in the entry function fails the run, naming
// the file (printed before each input). Exit 1 when no file was replayed at all.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path p = argv[i];
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p)) {
                if (e.is_regular_file()) {
                    files.push_back(e.path());
                }
            }
        } else if (fs::is_regular_file(p, ec)) {
            files.push_back(p);
        } else {
            std::printf("replay: %s does not exist, skipped\n", p.c_str());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::printf("replay: %s\n", f.c_str());
        std::fflush(stdout);
        std::ifstream in(f, std::ios::binary);
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                      std::istreambuf_iterator<char>());
        std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());  // exact size, for ASan
        LLVMFuzzerTestOneInput(copy.data(), copy.size());
    }
    std::printf("replay: %zu file(s), no crash\n", files.size());
    return files.empty() ? 1 : 0;
}
