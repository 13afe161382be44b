// litefer-cli pack: image-folder dataset or FER2013 CSV -> one <split>.lfpack per split.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "litefer/core/dataset.h"
#include "litefer/packed_dataset.h"

namespace litefer::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultSplits = "train,val,test";
constexpr std::size_t kProgressEvery = 5000;  // images between progress lines
constexpr std::size_t kProblemsShown = 10;    // per report, in the summary

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) {
            out.push_back(item);
        }
    }
    return out;
}

/// Notes, then up to kProblemsShown problems of `report` ("what" names the skipped items).
void printReport(const core::LoadReport& report, const std::string& what, std::ostream& out) {
    for (const auto& note : report.notes) {
        out << "  note: " << note << '\n';
    }
    if (report.skipped == 0) {
        return;
    }
    const std::size_t shown = std::min(report.problems.size(), kProblemsShown);
    out << "  " << report.skipped << ' ' << what << " skipped"
        << (shown < report.skipped ? ", first " + std::to_string(shown) : std::string()) << ":\n";
    for (std::size_t i = 0; i < shown; ++i) {
        out << "    " << report.problems[i] << '\n';
    }
    if (report.skipped > shown) {
        out << "    ... and " << report.skipped - shown << " more\n";
    }
}

void printSplit(const PackedDataset& ds, const std::string& file, std::ostream& out) {
    out << ds.split << ": " << ds.size() << " images -> " << file << "\n ";
    for (std::size_t c = 0; c < kNumEmotions; ++c) {
        out << ' ' << kEmotionNames[c] << ' ' << ds.classCounts[c];
    }
    out << "\n  skipped " << ds.skipped << '\n';
}

}  // namespace

int runPack(int argc, const char* const* argv) {
    Args args("pack",
              {
                  {"source", "PATH", "image-folder root (<split>/<class>/<image>) or FER2013 .csv",
                   "", false},
                  {"out", "DIR", "output folder for <split>.lfpack files", "", false},
                  {"splits", "LIST", "comma-separated splits to pack", "", false},
                  {"class-map", "NAME=LABEL,...",
                   "map class names to labels (a label, synonym, 0..6 or drop)", "", true},
                  {"drop-class", "NAME", "drop a class (same as --class-map NAME=drop)", "", true},
                  {"drop-unknown", "", "drop class folders with unknown names instead of failing",
                   "", false},
              });
    args.parse(argc, argv, 2);
    if (args.flag("help")) {
        std::cout << args.help(
            "Pack a dataset into binary split files (48x48 grey, canonical labels, checksummed)."
            "\nImage folders: classes by folder name (case-insensitive, common synonyms,\n"
            "0..6 as FER2013 ids). CSV: emotion,pixels,Usage with Usage Training/PublicTest/\n"
            "PrivateTest -> train/val/test. Unreadable images and invalid rows are skipped\n"
            "and listed. Default splits: " +
                std::string(kDefaultSplits) + " (those present).",
            "--source PATH --out DIR [--splits LIST] [--class-map NAME=LABEL,...] "
            "[--drop-class NAME] [--drop-unknown]");
        return kExitOk;
    }
    const auto source = args.value("source");
    const auto outDir = args.value("out");
    if (!source || !outDir) {
        throw UsageError(std::string("missing --") + (!source ? "source" : "out"));
    }
    const bool explicitSplits = args.has("splits");
    const std::vector<std::string> splits = splitList(args.value("splits", kDefaultSplits));
    if (splits.empty()) {
        throw UsageError("--splits is empty");
    }
    core::ClassMapOptions classMap;
    try {
        for (const auto& spec : args.values("class-map")) {
            core::parseClassMap(spec, classMap);
        }
        for (const auto& name : args.values("drop-class")) {
            core::parseClassMap(name + "=drop", classMap);
        }
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    classMap.dropUnknown = args.flag("drop-unknown");

    const auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    const bool isFolder = fs::is_directory(*source, ec);
    if (!isFolder && !fs::is_regular_file(*source, ec)) {
        throw std::runtime_error(*source +
                                 ": no such file or folder; give an image-folder root or a "
                                 "FER2013 .csv with --source");
    }

    // Load everything first, so a failing split leaves no half-written output.
    std::vector<PackedDataset> packs;
    std::vector<core::LoadReport> reports;
    if (isFolder) {
        const std::vector<std::string> present = core::listSplitFolders(*source);
        for (const auto& split : splits) {
            const bool exists = std::find(present.begin(), present.end(), split) != present.end();
            if (!exists && !explicitSplits) {
                // Default list: pack the splits that are there.
                std::cerr << "pack: no '" << split << "' folder in " << *source << ", skipped\n";
                continue;
            }
            std::cerr << "pack: reading " << (fs::path(*source) / split).string() << '\n';
            core::LoadReport report;
            auto progress = [&split](std::size_t done, std::size_t total) {
                if (done % kProgressEvery == 0 || (done == total && total >= kProgressEvery)) {
                    std::cerr << "pack: " << split << ' ' << done << '/' << total << " images\n";
                }
            };
            packs.push_back(core::loadImageFolderSplit(*source, split, classMap, report, progress));
            reports.push_back(std::move(report));
        }
        if (packs.empty()) {
            std::string found;
            for (const auto& name : present) {
                found += (found.empty() ? "" : ", ") + name;
            }
            throw std::runtime_error(
                *source + ": none of the splits " + kDefaultSplits +
                " is a folder here (folders: " + (found.empty() ? "none" : found) +
                "); choose existing ones with --splits or point --source at "
                "the dataset root");
        }
    } else {
        std::cerr << "pack: reading " << *source << '\n';
        core::LoadReport report;
        auto loaded = core::loadFer2013Csv(*source, classMap, report);
        std::string have;
        for (const auto& entry : loaded) {
            have += (have.empty() ? "" : ", ") + entry.first;
        }
        for (const auto& split : splits) {
            auto it = loaded.find(split);
            if (it == loaded.end()) {
                if (explicitSplits) {
                    throw std::runtime_error(*source + ": no valid row for split '" + split +
                                             "' (it has: " + have +
                                             "); choose from those with --splits");
                }
                continue;
            }
            packs.push_back(std::move(it->second));
            loaded.erase(it);
        }
        for (const auto& [split, ds] : loaded) {
            report.notes.push_back("split '" + split + "' (" + std::to_string(ds.size()) +
                                   " rows) not written: not in --splits");
        }
        if (packs.empty()) {
            throw std::runtime_error(*source +
                                     ": none of the requested splits has a valid row (it "
                                     "has: " +
                                     have + "); choose from those with --splits");
        }
        reports.push_back(std::move(report));
    }

    fs::create_directories(*outDir, ec);
    if (ec) {
        throw std::runtime_error("cannot create output folder " + *outDir + ": " + ec.message());
    }
    std::size_t totalImages = 0;
    for (std::size_t i = 0; i < packs.size(); ++i) {
        const std::string file = (fs::path(*outDir) / (packs[i].split + kPackExtension)).string();
        writePacked(file, packs[i]);
        printSplit(packs[i], file, std::cout);
        if (isFolder) {
            printReport(reports[i], "images", std::cout);
        }
        totalImages += packs[i].size();
    }
    if (!isFolder && (reports.front().skipped > 0 || !reports.front().notes.empty())) {
        std::cout << *source << ":\n";
        printReport(reports.front(), "rows", std::cout);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "packed " << packs.size() << " split" << (packs.size() == 1 ? "" : "s") << ", "
              << totalImages << " images in " << std::fixed << std::setprecision(1) << seconds
              << " s\n";
    return kExitOk;
}

}  // namespace litefer::cli
