#pragma once
#include <string>

namespace litefer {

/// Current UTC time as ISO 8601 with seconds ("2026-11-28T04:40:00Z"), for file headers and
/// manifests.
std::string isoTimestampUtc();

}  // namespace litefer
