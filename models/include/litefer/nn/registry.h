#pragma once
// Networks by name. The poster figures are reference data from its Table 1 (FER2013 test
// accuracy, parameters in millions, depth as the poster counts it), kept beside our own counts.
#include <optional>
#include <string>
#include <vector>

#include "litefer/nn/network.h"

namespace litefer::nn {

struct NetworkInfo {
    std::string name;
    std::string summary;
    std::optional<int> posterDepth;
    std::optional<double> posterParamsMillions;
    std::optional<double> posterAccuracy;  ///< percent, FER2013, as printed in the poster
};

/// All networks, in Table 1 order, then LiteFER's own.
const std::vector<NetworkInfo>& networkInfos();
const NetworkInfo* findNetworkInfo(const std::string& name);
/// Comma-separated list of the names, for messages.
std::string networkNames();

/// A freshly initialised network. Throws std::invalid_argument naming the valid names.
Network createNetwork(const std::string& name);

}  // namespace litefer::nn
