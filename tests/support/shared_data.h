#pragma once
// The read-only shared data folder ../shared (LITEFER_SHARED_DIR, set by tests/CMakeLists.txt
// for every test): paths into it and whether a file is there. A test that needs a shared file
// skips with a reason when it is absent (a machine without ../shared); these helpers only say
// where the file is and whether it exists, the test decides what to do.
#include <filesystem>
#include <string>

#ifndef LITEFER_SHARED_DIR
#error "LITEFER_SHARED_DIR is not defined (tests/CMakeLists.txt sets it for litefer_add_test)"
#endif

namespace litefer::test {

/// The YuNet face detector model, relative to the shared folder.
inline constexpr const char* kYuNetModel = "models/yunet/face_detection_yunet_2023mar_dynamic.onnx";

/// The shared folder itself (it may not exist).
inline std::string sharedDir() {
    return LITEFER_SHARED_DIR;
}

/// `relative` (e.g. "video/face_d0.mp4") inside the shared folder, whether it exists or not.
inline std::string sharedPath(const std::string& relative) {
    return sharedDir() + "/" + relative;
}

/// Whether `relative` exists in the shared folder.
inline bool haveShared(const std::string& relative) {
    return std::filesystem::exists(sharedPath(relative));
}

}  // namespace litefer::test
