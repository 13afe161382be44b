#include "args.h"

#include <sstream>

namespace litefer::cli {

Args::Args(std::string command, std::vector<OptionSpec> specs)
    : command_(std::move(command)), specs_(std::move(specs)) {
    specs_.push_back({"help", "", "show this help", "", false});
}

const OptionSpec* Args::find(const std::string& name) const {
    for (const auto& s : specs_) {
        if (s.name == name) {
            return &s;
        }
    }
    return nullptr;
}

void Args::parse(int argc, const char* const* argv, int first) {
    for (int i = first; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            for (++i; i < argc; ++i) {
                positional_.emplace_back(argv[i]);
            }
            break;
        }
        if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
            positional_.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inlineValue;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const OptionSpec* spec = find(name);
        if (spec == nullptr) {
            throw UsageError("unknown option --" + name + " for '" + command_ + "'");
        }
        if (spec->valueName.empty()) {
            if (inlineValue) {
                throw UsageError("option --" + name + " takes no value");
            }
            values_[name].push_back("1");
            continue;
        }
        std::string v;
        if (inlineValue) {
            v = *inlineValue;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            throw UsageError("option --" + name + " needs a value (" + spec->valueName + ")");
        }
        auto& list = values_[name];
        if (!spec->repeatable) {
            list.clear();
        }
        list.push_back(v);
    }
}

bool Args::flag(const std::string& name) const {
    return values_.count(name) != 0;
}
bool Args::has(const std::string& name) const {
    return values_.count(name) != 0;
}

std::optional<std::string> Args::value(const std::string& name) const {
    if (auto it = values_.find(name); it != values_.end() && !it->second.empty()) {
        return it->second.back();
    }
    if (const OptionSpec* s = find(name); s != nullptr && !s->defaultValue.empty()) {
        return s->defaultValue;
    }
    return std::nullopt;
}

std::string Args::value(const std::string& name, const std::string& fallback) const {
    return value(name).value_or(fallback);
}

std::vector<std::string> Args::values(const std::string& name) const {
    if (auto it = values_.find(name); it != values_.end()) {
        return it->second;
    }
    return {};
}

int Args::intValue(const std::string& name, int fallback) const {
    auto v = value(name);
    if (!v) {
        return fallback;
    }
    try {
        std::size_t used = 0;
        int r = std::stoi(*v, &used);
        if (used == v->size()) {
            return r;
        }
    } catch (const std::exception&) {
    }
    throw UsageError("option --" + name + " expects an integer, got '" + *v + "'");
}

double Args::doubleValue(const std::string& name, double fallback) const {
    auto v = value(name);
    if (!v) {
        return fallback;
    }
    try {
        std::size_t used = 0;
        double r = std::stod(*v, &used);
        if (used == v->size()) {
            return r;
        }
    } catch (const std::exception&) {
    }
    throw UsageError("option --" + name + " expects a number, got '" + *v + "'");
}

std::string Args::help(const std::string& summary, const std::string& usage) const {
    std::ostringstream out;
    out << summary << "\n\nUsage: litefer-cli " << command_ << ' ' << usage << "\n\nOptions:\n";
    for (const auto& s : specs_) {
        std::string left = "  --" + s.name + (s.valueName.empty() ? "" : " " + s.valueName);
        out << left;
        out << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << s.help;
        if (!s.defaultValue.empty()) {
            out << " (default: " << s.defaultValue << ')';
        }
        out << '\n';
    }
    return out.str();
}

}  // namespace litefer::cli
