#pragma once
// A small command-line parser for litefer-cli. It exists because litefer-cli must also build on
// the GPU machine, which has LibTorch but none of the Debian option-parsing libraries.
//
// Grammar: `litefer-cli <command> [--flag] [--key value | --key=value] [positional...]`.
// Each command declares its options; unknown options and missing values are usage errors
// (exit code 2), reported with the command's help.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace litefer::cli {

/// Thrown for bad command lines; main() prints it with the command's help and exits with 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;          ///< without the leading dashes
    std::string valueName;     ///< empty for a flag; else shown in help (e.g. "FILE")
    std::string help;          ///< one line
    std::string defaultValue;  ///< shown in help; empty = none
    bool repeatable = false;   ///< may be given several times (values collected in order)
};

class Args {
  public:
    Args(std::string command, std::vector<OptionSpec> specs);

    /// Parses argv[first..argc). Throws UsageError.
    void parse(int argc, const char* const* argv, int first);

    bool flag(const std::string& name) const;
    bool has(const std::string& name) const;
    /// Last value given, or the spec's default, or std::nullopt.
    std::optional<std::string> value(const std::string& name) const;
    std::string value(const std::string& name, const std::string& fallback) const;
    std::vector<std::string> values(const std::string& name) const;
    int intValue(const std::string& name, int fallback) const;
    double doubleValue(const std::string& name, double fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }

    /// Help text: usage line plus one line per option.
    std::string help(const std::string& summary, const std::string& usage) const;

  private:
    const OptionSpec* find(const std::string& name) const;

    std::string command_;
    std::vector<OptionSpec> specs_;
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positional_;
};

}  // namespace litefer::cli
