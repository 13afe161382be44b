// Metrics on hand-made confusion matrices.
#include <catch2/catch.hpp>

#include "litefer/metrics.h"

using namespace litefer;

TEST_CASE("metrics on a hand-made confusion matrix match a hand computation", "[metrics]") {
    // Rows true, columns predicted. Class 0: 8 right, 2 called class 1; class 1: 5 right, 5 called
    // class 0; class 3: 10 right; classes 2, 4, 5, 6 absent.
    std::vector<std::vector<std::int64_t>> c(7, std::vector<std::int64_t>(7, 0));
    c[0][0] = 8;
    c[0][1] = 2;
    c[1][1] = 5;
    c[1][0] = 5;
    c[3][3] = 10;
    Metrics m = computeMetrics(c);
    CHECK(m.total == 30);
    CHECK(m.correct == 23);
    CHECK(m.accuracy == Approx(23.0 / 30.0));
    CHECK(m.perClass[0].precision == Approx(8.0 / 13.0));
    CHECK(m.perClass[0].recall == Approx(0.8));
    CHECK(m.perClass[0].f1 == Approx(2 * (8.0 / 13) * 0.8 / (8.0 / 13 + 0.8)));
    CHECK(m.perClass[1].precision == Approx(5.0 / 7.0));
    CHECK(m.perClass[1].recall == Approx(0.5));
    CHECK(m.perClass[3].f1 == Approx(1.0));
    CHECK(m.perClass[2].f1 == 0.0);  // undefined -> 0
    CHECK(m.perClass[1].support == 10);
    const double f1_0 = 2 * (8.0 / 13) * 0.8 / (8.0 / 13 + 0.8);
    const double f1_1 = 2 * (5.0 / 7) * 0.5 / (5.0 / 7 + 0.5);
    CHECK(m.macroF1 == Approx((f1_0 + f1_1 + 1.0) / 7.0));
}

TEST_CASE("the confusion matrix counts predictions and rejects bad labels", "[metrics]") {
    ConfusionMatrix cm;
    cm.add(2, 2);
    cm.add(2, 6);
    cm.add(6, 6);
    Metrics m = cm.metrics();
    CHECK(m.confusion[2][6] == 1);
    CHECK(m.perClass[6].precision == Approx(0.5));
    CHECK(m.perClass[2].recall == Approx(0.5));
    REQUIRE_THROWS_AS(cm.add(7, 0), std::out_of_range);
    REQUIRE_THROWS_AS(cm.add(0, -1), std::out_of_range);
    REQUIRE_THROWS_AS(computeMetrics({{1, 2}, {3, 4}}), std::invalid_argument);
}

TEST_CASE("the report and JSON carry every class in canonical order", "[metrics]") {
    ConfusionMatrix cm;
    for (int i = 0; i < 7; ++i) {
        cm.add(i, i);
    }
    Metrics m = cm.metrics();
    const std::string r = m.report();
    CHECK(r.find("accuracy 100.00%") != std::string::npos);
    CHECK(r.find("angry") < r.find("neutral"));
    json::Value j = m.toJson();
    CHECK(j.at("per_class").at("surprise").at("recall").asDouble() == 1.0);
    CHECK(j.at("confusion").asArray().size() == 7);
}

TEST_CASE("percentile is the nearest-rank quantile", "[metrics]") {
    CHECK(litefer::percentile({}, 0.5) == 0.0);
    CHECK(litefer::percentile({7.0}, 0.95) == 7.0);
    const std::vector<double> v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};  // 1..10, shuffled
    CHECK(litefer::percentile(v, 0.5) == 5.0);                      // lower median of an even count
    CHECK(litefer::percentile(v, 0.95) == 10.0);                    // ceil(9.5) = 10th value
    CHECK(litefer::percentile(v, 0.9) == 9.0);
    CHECK(litefer::percentile(v, 0.0) == 1.0);
    CHECK(litefer::percentile(v, 1.0) == 10.0);
}
