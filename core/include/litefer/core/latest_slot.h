#pragma once
// LatestSlot<T>: a single-slot, newest-wins hand-off from one producer thread (e.g. the capture
// thread) to one consumer thread (e.g. inference). A value put while the previous one was not
// taken replaces it, and the replaced value counts as dropped: latency and memory never grow
// when the consumer is slower than the producer (MediaPipe's flow limiter, in one slot).
//
// Thread-safety: put(), take(), tryTake(), close() and the counters may be called from any
// threads. Several producers or consumers are safe too, but "newest" is then the last put()
// to take the lock.
//
// Shutdown, ordered and idempotent: the producer stops calling put(), someone calls close();
// later put()s are refused, a consumer blocked in take() wakes at once, and take() still hands
// out a value put before close() (drain) before it reports "closed and empty".
//
// Accounting: at any quiescent moment put() accepted == taken + dropped + (full ? 1 : 0).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

namespace litefer::core {

template <typename T>
class LatestSlot {
  public:
    LatestSlot() = default;
    LatestSlot(const LatestSlot&) = delete;
    LatestSlot& operator=(const LatestSlot&) = delete;

    /// Stores `value`, replacing (and counting as dropped) a value not yet taken, and wakes a
    /// waiting consumer. Returns false, discarding `value`, once the slot is closed.
    bool put(T value) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (closed_.load(std::memory_order_relaxed)) {
                return false;
            }
            if (value_.has_value()) {
                dropped_.fetch_add(1, std::memory_order_relaxed);
            }
            value_ = std::move(value);
            accepted_.fetch_add(1, std::memory_order_relaxed);
        }
        ready_.notify_one();
        return true;
    }

    /// Waits up to `timeout` for a value and takes it. Returns std::nullopt on timeout, or at
    /// once when the slot is closed and empty (check closed() to tell the two apart).
    template <typename Rep, typename Period>
    std::optional<T> take(std::chrono::duration<Rep, Period> timeout) {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait_for(lock, timeout, [this] {
            return value_.has_value() || closed_.load(std::memory_order_relaxed);
        });
        return takeLocked();
    }

    /// Takes the value if there is one, without waiting.
    std::optional<T> tryTake() {
        std::lock_guard<std::mutex> lock(mutex_);
        return takeLocked();
    }

    /// Refuses further put()s and wakes every waiting consumer. A value already in the slot
    /// can still be taken. Idempotent.
    void close() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            closed_.store(true, std::memory_order_release);
        }
        ready_.notify_all();
    }

    bool closed() const { return closed_.load(std::memory_order_acquire); }
    /// Values accepted by put().
    std::uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }
    /// Values handed out by take() / tryTake().
    std::uint64_t taken() const { return taken_.load(std::memory_order_relaxed); }
    /// Values overwritten by a newer one before anyone took them.
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  private:
    std::optional<T> takeLocked() {
        std::optional<T> out;
        if (value_.has_value()) {
            out = std::move(value_);
            value_.reset();
            taken_.fetch_add(1, std::memory_order_relaxed);
        }
        return out;
    }

    std::mutex mutex_;
    std::condition_variable ready_;
    std::optional<T> value_;  // guarded by mutex_
    std::atomic<bool> closed_{false};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> taken_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace litefer::core
