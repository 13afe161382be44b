// LatestSlot: newest wins, dropped accounting, timeouts, close() waking a consumer, and a
// producer/consumer stress run.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "litefer/core/latest_slot.h"

using namespace litefer::core;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("the newest value wins and overwritten values count as dropped", "[latest_slot]") {
    LatestSlot<int> slot;
    CHECK(slot.put(1));
    CHECK(slot.put(2));
    CHECK(slot.put(3));
    CHECK(slot.dropped() == 2);
    CHECK(slot.accepted() == 3);

    const std::optional<int> v = slot.take(0ms);
    REQUIRE(v);
    CHECK(*v == 3);
    CHECK_FALSE(slot.tryTake());  // taken values leave the slot
    CHECK(slot.taken() == 1);

    // A value that was taken is not dropped by the next put.
    CHECK(slot.put(4));
    CHECK(slot.dropped() == 2);
    CHECK(slot.tryTake() == 4);
}

TEST_CASE("take waits for a value up to its timeout", "[latest_slot]") {
    LatestSlot<int> slot;
    const auto start = Clock::now();
    CHECK_FALSE(slot.take(30ms));
    CHECK(Clock::now() - start >= 25ms);
    CHECK_FALSE(slot.closed());

    // A value put while the consumer waits is handed over at once.
    std::thread producer([&slot] {
        std::this_thread::sleep_for(20ms);
        slot.put(7);
    });
    const auto waitStart = Clock::now();
    const std::optional<int> v = slot.take(10s);
    const auto waited = Clock::now() - waitStart;
    producer.join();
    REQUIRE(v);
    CHECK(*v == 7);
    CHECK(waited < 5s);
}

TEST_CASE("close wakes a waiting consumer at once", "[latest_slot]") {
    LatestSlot<int> slot;
    std::promise<void> waiting;
    auto consumer = std::async(std::launch::async, [&] {
        waiting.set_value();
        const auto start = Clock::now();
        const std::optional<int> v = slot.take(60s);
        return std::make_pair(v, Clock::now() - start);
    });
    waiting.get_future().wait();
    std::this_thread::sleep_for(50ms);  // let it block in take()
    slot.close();
    REQUIRE(consumer.wait_for(5s) == std::future_status::ready);
    const auto [value, waited] = consumer.get();
    CHECK_FALSE(value);
    CHECK(waited < 5s);
    CHECK(slot.closed());
}

TEST_CASE("a closed slot refuses new values, still hands out the last one, and closes once",
          "[latest_slot]") {
    LatestSlot<int> slot;
    slot.put(1);
    slot.close();
    slot.close();  // idempotent
    CHECK_FALSE(slot.put(2));
    CHECK(slot.accepted() == 1);
    CHECK(slot.dropped() == 0);
    CHECK(slot.take(1s) == 1);  // drain
    const auto start = Clock::now();
    CHECK_FALSE(slot.take(10s));  // closed and empty: returns at once
    CHECK(Clock::now() - start < 5s);
}

TEST_CASE("move-only values pass through the slot", "[latest_slot]") {
    LatestSlot<std::unique_ptr<int>> slot;
    slot.put(std::make_unique<int>(5));
    slot.put(std::make_unique<int>(6));
    const auto v = slot.tryTake();
    REQUIRE(v);
    CHECK(**v == 6);
    CHECK(slot.dropped() == 1);
}

// One producer puts 0..N-1 as fast as it can, one consumer takes with a slow step now and then.
// Every value is taken or dropped exactly once, values arrive in increasing order (nothing
// stale comes after something newer), the last value is never lost (close() drains), and the
// counters agree with what both sides saw.
TEST_CASE("producer and consumer threads lose nothing beyond the dropped count",
          "[latest_slot][stress]") {
    constexpr int kValues = 50000;
    LatestSlot<std::unique_ptr<int>> slot;
    std::atomic<int> producerRefused{0};

    std::thread producer([&] {
        for (int i = 0; i < kValues; ++i) {
            if (!slot.put(std::make_unique<int>(i))) {
                producerRefused.fetch_add(1);
            }
            if (i % 1000 == 0) {
                std::this_thread::yield();
            }
        }
        slot.close();
    });

    std::vector<int> received;
    for (;;) {
        std::optional<std::unique_ptr<int>> v = slot.take(1s);
        if (!v) {
            if (slot.closed()) {
                break;  // closed and drained: take() hands out a pending value first
            }
            continue;  // timed out
        }
        received.push_back(**v);
        if (received.size() % 64 == 0) {
            std::this_thread::sleep_for(50us);  // a slow consumer now and then
        }
    }
    producer.join();

    CHECK(producerRefused.load() == 0);
    REQUIRE_FALSE(received.empty());
    CHECK(received.back() == kValues - 1);
    bool increasing = true;
    for (std::size_t i = 1; i < received.size(); ++i) {
        increasing = increasing && received[i] > received[i - 1];
    }
    CHECK(increasing);
    CHECK(slot.accepted() == static_cast<std::uint64_t>(kValues));
    CHECK(slot.taken() == received.size());
    CHECK(slot.taken() + slot.dropped() == slot.accepted());
    CHECK_FALSE(slot.tryTake());
}
