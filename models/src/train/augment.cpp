#include "litefer/train/augment.h"

#include <cmath>

namespace litefer::train {

torch::Tensor augmentBatch(const torch::Tensor& x, const AugmentOptions& o, std::mt19937_64& rng) {
    if (!o.enabled) {
        return x.clone();
    }
    const std::int64_t b = x.size(0);
    const std::int64_t side = x.size(3);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * unit(rng); };

    // theta maps output coordinates to input coordinates in [-1, 1] units (affine_grid).
    std::vector<float> theta(static_cast<std::size_t>(b * 6));
    for (std::int64_t i = 0; i < b; ++i) {
        const double angle = uniform(-o.maxRotationDeg, o.maxRotationDeg) * M_PI / 180.0;
        const double scale = uniform(o.minScale, o.maxScale);
        const double flip = (o.horizontalFlip && unit(rng) < 0.5) ? -1.0 : 1.0;
        const double tx = uniform(-o.maxShift, o.maxShift) * 2.0;
        const double ty = uniform(-o.maxShift, o.maxShift) * 2.0;
        const double c = std::cos(angle) / scale, s = std::sin(angle) / scale;
        float* t = theta.data() + i * 6;
        t[0] = static_cast<float>(c * flip);
        t[1] = static_cast<float>(-s);
        t[2] = static_cast<float>(tx);
        t[3] = static_cast<float>(s * flip);
        t[4] = static_cast<float>(c);
        t[5] = static_cast<float>(ty);
    }
    auto thetaT = torch::from_blob(theta.data(), {b, 2, 3}, torch::kFloat32).to(x.device());
    auto grid = torch::affine_grid_generator(thetaT, x.sizes(), /*align_corners=*/false);
    torch::Tensor y = torch::grid_sampler(x, grid, /*bilinear*/ 0, /*border*/ 1,
                                          /*align_corners=*/false);

    // Random erasing (Zhong et al. 2020): a rectangle set to 0, the normalised data mean.
    for (std::int64_t i = 0; i < b; ++i) {
        if (unit(rng) >= o.eraseProbability) {
            continue;
        }
        const double area =
            uniform(o.eraseMinArea, o.eraseMaxArea) * static_cast<double>(side * side);
        const double aspect = std::exp(uniform(std::log(0.3), std::log(3.3)));
        auto h = static_cast<std::int64_t>(std::round(std::sqrt(area * aspect)));
        auto w = static_cast<std::int64_t>(std::round(std::sqrt(area / aspect)));
        h = std::clamp<std::int64_t>(h, 1, side);
        w = std::clamp<std::int64_t>(w, 1, side);
        const auto top = static_cast<std::int64_t>(unit(rng) * static_cast<double>(side - h + 1));
        const auto left = static_cast<std::int64_t>(unit(rng) * static_cast<double>(side - w + 1));
        y[i].narrow(1, top, h).narrow(2, left, w).zero_();
    }
    return y;
}

}  // namespace litefer::train
