#include "litefer/nn/input.h"

#include "litefer/nn/network.h"

namespace litefer::nn {

torch::Tensor normalizePixels(const torch::Tensor& pixels, const Normalization& norm) {
    TORCH_CHECK(pixels.scalar_type() == torch::kUInt8, "normalizePixels expects uint8 pixels");
    torch::Tensor x = pixels.reshape({-1, 1, kInputSide, kInputSide}).to(torch::kFloat32);
    // (p / 255 - mean) / std as one fused multiply-add: p * a + b.
    const double a = 1.0 / (255.0 * static_cast<double>(norm.std));
    const double b = -static_cast<double>(norm.mean) / static_cast<double>(norm.std);
    return x.mul_(a).add_(b);
}

torch::Tensor pixelsToInput(const std::uint8_t* pixels, std::int64_t count,
                            const Normalization& norm) {
    auto view = torch::from_blob(const_cast<std::uint8_t*>(pixels), {count, kInputSide, kInputSide},
                                 torch::kUInt8);
    return normalizePixels(view, norm);
}

torch::Tensor probeInput(const Normalization& norm) {
    std::vector<std::uint8_t> img(static_cast<std::size_t>(kInputSide * kInputSide));
    for (std::int64_t y = 0; y < kInputSide; ++y) {
        for (std::int64_t x = 0; x < kInputSide; ++x) {
            img[static_cast<std::size_t>(y * kInputSide + x)] =
                static_cast<std::uint8_t>((x * 5 + y * 3 + (x * y) % 37) % 256);
        }
    }
    return pixelsToInput(img.data(), 1, norm);
}

}  // namespace litefer::nn
