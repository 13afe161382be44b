#include "litefer/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace litefer {

namespace {
double ratio(std::int64_t a, std::int64_t b) {
    return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}
}  // namespace

ConfusionMatrix::ConfusionMatrix()
    : counts_(kNumEmotions, std::vector<std::int64_t>(kNumEmotions, 0)) {}

void ConfusionMatrix::add(int trueLabel, int predicted) {
    if (trueLabel < 0 || trueLabel >= static_cast<int>(kNumEmotions) || predicted < 0 ||
        predicted >= static_cast<int>(kNumEmotions)) {
        throw std::out_of_range("ConfusionMatrix::add: label outside 0..6");
    }
    ++counts_[static_cast<std::size_t>(trueLabel)][static_cast<std::size_t>(predicted)];
}

Metrics ConfusionMatrix::metrics() const {
    return computeMetrics(counts_);
}

Metrics computeMetrics(const std::vector<std::vector<std::int64_t>>& confusion) {
    if (confusion.size() != kNumEmotions) {
        throw std::invalid_argument("confusion matrix must be 7 x 7");
    }
    for (const auto& row : confusion) {
        if (row.size() != kNumEmotions) {
            throw std::invalid_argument("confusion matrix must be 7 x 7");
        }
        for (auto c : row) {
            if (c < 0) {
                throw std::invalid_argument("confusion matrix counts must be >= 0");
            }
        }
    }
    Metrics m;
    m.confusion = confusion;
    std::array<std::int64_t, kNumEmotions> predicted{};
    for (std::size_t t = 0; t < kNumEmotions; ++t) {
        for (std::size_t p = 0; p < kNumEmotions; ++p) {
            m.total += confusion[t][p];
            m.perClass[t].support += confusion[t][p];
            predicted[p] += confusion[t][p];
        }
        m.correct += confusion[t][t];
    }
    m.accuracy = ratio(m.correct, m.total);
    double f1Sum = 0;
    for (std::size_t c = 0; c < kNumEmotions; ++c) {
        ClassMetrics& cm = m.perClass[c];
        cm.precision = ratio(confusion[c][c], predicted[c]);
        cm.recall = ratio(confusion[c][c], cm.support);
        cm.f1 = cm.precision + cm.recall > 0
                    ? 2 * cm.precision * cm.recall / (cm.precision + cm.recall)
                    : 0.0;
        f1Sum += cm.f1;
    }
    m.macroF1 = f1Sum / static_cast<double>(kNumEmotions);
    return m;
}

json::Value Metrics::toJson() const {
    json::Value v = json::Value::object();
    v["total"] = total;
    v["correct"] = correct;
    v["accuracy"] = accuracy;
    v["macro_f1"] = macroF1;
    json::Value classes = json::Value::object();
    for (std::size_t c = 0; c < kNumEmotions; ++c) {
        json::Value cj = json::Value::object();
        cj["precision"] = perClass[c].precision;
        cj["recall"] = perClass[c].recall;
        cj["f1"] = perClass[c].f1;
        cj["support"] = perClass[c].support;
        classes[std::string(kEmotionNames[c])] = cj;
    }
    v["per_class"] = classes;
    json::Value rows = json::Value::array();
    for (const auto& row : confusion) {
        json::Value r = json::Value::array();
        for (auto n : row) {
            r.push(n);
        }
        rows.push(r);
    }
    v["confusion"] = rows;
    v["confusion_axes"] = "rows = true class, columns = predicted, canonical label order";
    return v;
}

std::string Metrics::report() const {
    std::string out;
    char line[160];
    std::snprintf(line, sizeof line, "accuracy %.2f%% (%lld / %lld), macro-F1 %.4f\n\n",
                  100.0 * accuracy, static_cast<long long>(correct), static_cast<long long>(total),
                  macroF1);
    out += line;
    out += "class       precision  recall      F1  support\n";
    for (std::size_t c = 0; c < kNumEmotions; ++c) {
        std::snprintf(line, sizeof line, "%-10s %10.3f %7.3f %7.3f %8lld\n",
                      std::string(kEmotionNames[c]).c_str(), perClass[c].precision,
                      perClass[c].recall, perClass[c].f1,
                      static_cast<long long>(perClass[c].support));
        out += line;
    }
    out += "\nconfusion (rows true, columns predicted)\n          ";
    for (std::size_t c = 0; c < kNumEmotions; ++c) {
        std::snprintf(line, sizeof line, "%9.8s", std::string(kEmotionNames[c]).c_str());
        out += line;
    }
    out += '\n';
    for (std::size_t t = 0; t < confusion.size(); ++t) {
        std::snprintf(line, sizeof line, "%-10s", std::string(kEmotionNames[t]).c_str());
        out += line;
        for (auto n : confusion[t]) {
            std::snprintf(line, sizeof line, "%9lld", static_cast<long long>(n));
            out += line;
        }
        out += '\n';
    }
    return out;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const double rank = std::ceil(p * static_cast<double>(values.size()));
    const auto index = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
    return values[std::min(index, values.size() - 1)];
}

}  // namespace litefer
