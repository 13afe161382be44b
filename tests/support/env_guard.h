#pragma once
// An environment variable set (or unset) for a scope, e.g. to point model lookups at a test
// folder: the constructor sets it, the destructor restores the value it had (or unsets it
// again). Not thread-safe, like setenv itself: use it where no other thread reads the
// environment.
#include <stdlib.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace litefer::test {

class EnvGuard {
  public:
    /// Sets `name` to `value`, or unsets it for std::nullopt.
    EnvGuard(const char* name, const std::optional<std::string>& value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        set(value);
    }
    ~EnvGuard() { set(old_); }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

  private:
    void set(const std::optional<std::string>& value) {
        if (value) {
            setenv(name_, value->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace litefer::test
