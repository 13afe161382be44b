// litefer_ui: the main window and its live view, on Qt's offscreen platform (CTest sets
// QT_QPA_PLATFORM=offscreen; run by hand, this file sets it when unset). No camera is needed:
// tests feed frames through MainWindow::showFrame(), and the "no camera" test skips with a
// warning on a machine that has one.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QCameraDevice>
#include <QColor>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QLabel>
#include <QList>
#include <QMediaDevices>
#include <QPoint>
#include <QProgressBar>
#include <QRect>
#include <QString>
#include <QtGlobal>

#include <cstddef>

#include "litefer/labels.h"
#include "litefer/ui/live_view.h"
#include "litefer/ui/main_window.h"

namespace {

using litefer::ui::LiveView;
using litefer::ui::MainWindow;
using litefer::ui::MainWindowOptions;

/// The one QApplication of this test binary (the Catch2 main is shared, so it is made here).
QApplication& app() {
    static int argc = 1;
    static char name[] = "test_ui";
    static char* argv[] = {name, nullptr};
    static QApplication* instance = [] {
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) {
            qputenv("QT_QPA_PLATFORM", "offscreen");
        }
        return new QApplication(argc, argv);  // lives until the process ends
    }();
    return *instance;
}

/// Runs the event loop for `ms` milliseconds (queued signals, timers, repaints).
void pumpEvents(int ms) {
    QElapsedTimer timer;
    timer.start();
    do {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    } while (timer.elapsed() < ms);
}

MainWindowOptions withoutCamera() {
    MainWindowOptions options;
    options.startCamera = false;
    options.mirror = false;
    return options;
}

QImage filled(int width, int height, const QColor& colour) {
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(colour);
    return image;
}

/// Left half red, right half blue.
QImage redBlue(int width, int height) {
    QImage image = filled(width, height, Qt::red);
    for (int y = 0; y < height; ++y) {
        for (int x = width / 2; x < width; ++x) {
            image.setPixelColor(x, y, Qt::blue);
        }
    }
    return image;
}

/// What the live view puts on screen, as an image in widget pixels.
QImage screenOf(LiveView* view) {
    return view->grab().toImage().convertToFormat(QImage::Format_RGB32);
}

bool near(const QColor& a, const QColor& b, int tolerance = 8) {
    return qAbs(a.red() - b.red()) <= tolerance && qAbs(a.green() - b.green()) <= tolerance &&
           qAbs(a.blue() - b.blue()) <= tolerance;
}

}  // namespace

TEST_CASE("the main window builds and shows offscreen without a camera", "[ui]") {
    app();
    MainWindow window(withoutCamera());
    window.show();
    pumpEvents(50);
    CHECK(window.isVisible());
    CHECK_FALSE(window.hasCamera());
    REQUIRE(window.liveView() != nullptr);
    CHECK(window.liveView()->isVisible());
    CHECK(window.liveView()->width() > 0);
    INFO("message: " << window.statusMessage().toStdString());
    CHECK(window.statusMessage().contains(QStringLiteral("camera is off")));
}

TEST_CASE("with no camera connected the window says so instead of crashing", "[ui]") {
    app();
    if (!QMediaDevices::videoInputs().isEmpty()) {
        WARN("skipped: this machine has a camera ("
             << QMediaDevices::videoInputs().front().description().toStdString() << ")");
        return;
    }
    MainWindow window;  // startCamera = true
    window.show();
    pumpEvents(200);
    CHECK_FALSE(window.hasCamera());
    INFO("message: " << window.statusMessage().toStdString());
    CHECK(window.statusMessage().startsWith(QStringLiteral("No camera found")));
    CHECK(window.statusMessage().contains(QStringLiteral("litefer-cli")));
    CHECK_FALSE(window.liveView()->hasImage());
}

TEST_CASE("the status bar counts the frames the live view shows", "[ui]") {
    app();
    MainWindow window(withoutCamera());
    window.show();
    pumpEvents(1100);  // one status tick with no frames
    CHECK(window.framesPerSecond() == 0.0);
    for (int i = 0; i < 10; ++i) {
        window.showFrame(filled(32, 24, Qt::gray));
    }
    QElapsedTimer waited;  // the next status tick counts them (allow for a slow machine)
    waited.start();
    while (window.framesPerSecond() == 0.0 && waited.elapsed() < 3000) {
        pumpEvents(50);
    }
    CHECK(window.framesPerSecond() > 0.0);
    const QList<QLabel*> labels = window.findChildren<QLabel*>();
    bool shown = false;
    for (const QLabel* label : labels) {
        shown = shown || (label->text().contains(QStringLiteral("frames/s")) &&
                          label->text().contains(QLatin1Char('.')));
    }
    CHECK(shown);
}

TEST_CASE("a frame given to showFrame is painted in the live view", "[ui]") {
    app();
    MainWindow window(withoutCamera());
    window.show();
    pumpEvents(20);
    const QColor green(20, 200, 60);
    window.showFrame(filled(64, 48, green));
    CHECK(window.statusMessage().isEmpty());
    CHECK(window.liveView()->hasImage());

    LiveView* view = window.liveView();
    const QImage screen = screenOf(view);
    REQUIRE(screen.size() == view->size());
    const QPoint centre(screen.width() / 2, screen.height() / 2);
    INFO("centre pixel: " << screen.pixelColor(centre).name().toStdString());
    CHECK(near(screen.pixelColor(centre), green));
}

TEST_CASE("the picture keeps its aspect ratio, centred, with a border", "[ui]") {
    app();
    LiveView view;
    view.resize(400, 200);
    const QColor white(255, 255, 255);
    view.setImage(filled(40, 40, white));  // square into a 2:1 view
    const QRect target = view.imageRect();
    CHECK(target == QRect(100, 0, 200, 200));
    const QImage screen = screenOf(&view);
    CHECK(near(screen.pixelColor(200, 100), white));
    CHECK_FALSE(near(screen.pixelColor(20, 100), white));   // left border
    CHECK_FALSE(near(screen.pixelColor(380, 100), white));  // right border
}

TEST_CASE("mirroring swaps left and right on screen only", "[ui]") {
    app();
    LiveView view;
    view.resize(320, 240);
    const QImage frame = redBlue(64, 48);
    view.setImage(frame);
    const QRect target = view.imageRect();
    REQUIRE_FALSE(target.isEmpty());
    const QPoint left(target.left() + target.width() / 4, target.center().y());
    const QPoint right(target.left() + 3 * target.width() / 4, target.center().y());

    SECTION("not mirrored: as captured") {
        const QImage screen = screenOf(&view);
        CHECK(near(screen.pixelColor(left), Qt::red));
        CHECK(near(screen.pixelColor(right), Qt::blue));
    }
    SECTION("mirrored: red on the right, blue on the left, the frame itself untouched") {
        view.setMirrored(true);
        const QImage screen = screenOf(&view);
        CHECK(near(screen.pixelColor(left), Qt::blue));
        CHECK(near(screen.pixelColor(right), Qt::red));
        CHECK(view.image().pixelColor(0, 0) == QColor(Qt::red));
    }
}

TEST_CASE("a message replaces the picture and a new frame replaces the message", "[ui]") {
    app();
    LiveView view;
    view.resize(320, 240);
    view.setImage(filled(32, 24, Qt::green));
    view.setMessage(QStringLiteral("Camera unplugged.\nPlug it back in."));
    CHECK_FALSE(view.hasImage());
    CHECK(view.imageRect().isEmpty());
    CHECK(view.message() == QStringLiteral("Camera unplugged.\nPlug it back in."));
    // The message is drawn: the view is not a single flat colour.
    const QImage screen = screenOf(&view);
    const QColor background = screen.pixelColor(0, 0);
    bool anyText = false;
    for (int y = 0; y < screen.height() && !anyText; ++y) {
        for (int x = 0; x < screen.width() && !anyText; ++x) {
            anyText = screen.pixelColor(x, y) != background;
        }
    }
    CHECK(anyText);

    view.setImage(filled(32, 24, Qt::green));
    CHECK(view.hasImage());
    CHECK(view.message().isEmpty());
}

TEST_CASE("the emotion panel lists the seven emotions in canonical order", "[ui]") {
    app();
    MainWindow window(withoutCamera());
    const QList<QLabel*> names = window.findChildren<QLabel*>(QStringLiteral("emotionName"));
    const QList<QProgressBar*> bars =
        window.findChildren<QProgressBar*>(QStringLiteral("emotionBar"));
    REQUIRE(names.size() == static_cast<int>(litefer::kNumEmotions));
    REQUIRE(bars.size() == static_cast<int>(litefer::kNumEmotions));
    for (std::size_t i = 0; i < litefer::kNumEmotions; ++i) {
        const int row = static_cast<int>(i);
        const QString expected =
            QString::fromLatin1(litefer::kEmotionNames[i].data(),
                                static_cast<qsizetype>(litefer::kEmotionNames[i].size()));
        CHECK(names[row]->text().toLower() == expected);
        CHECK(bars[row]->value() == 0);  // empty until the pipeline feeds it
        CHECK(names[row]->buddy() == bars[row]);
    }
}

TEST_CASE("emotion scores fill the bars and clearing empties them", "[ui]") {
    app();
    MainWindow window(withoutCamera());
    const QList<QProgressBar*> bars =
        window.findChildren<QProgressBar*>(QStringLiteral("emotionBar"));
    REQUIRE(bars.size() == static_cast<int>(litefer::kNumEmotions));
    litefer::EmotionScores scores{};
    scores[static_cast<std::size_t>(litefer::Emotion::Happy)] = 0.75F;
    scores[static_cast<std::size_t>(litefer::Emotion::Neutral)] = 0.25F;
    window.setEmotionScores(scores);
    const int happy = static_cast<int>(litefer::Emotion::Happy);
    const int neutral = static_cast<int>(litefer::Emotion::Neutral);
    CHECK(bars[happy]->value() * 4 == bars[happy]->maximum() * 3);
    CHECK(bars[neutral]->value() * 4 == bars[neutral]->maximum());
    CHECK(bars[0]->value() == 0);
    window.clearEmotionScores();
    for (QProgressBar* bar : bars) {
        CHECK(bar->value() == 0);
    }
}
