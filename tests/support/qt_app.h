#pragma once
// The QApplication of a Qt test binary, and running its event loop. Qt tests only: include
// it after <catch2/catch.hpp> in tests that link litefer_ui.
//
// The Catch2 main is shared by all tests, so each Qt test binary makes its one QApplication on
// first use (testApplication). Before it does, the binary's user folders are moved into a
// fresh temporary home (testHome(): HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME, and
// QSettings' user scope), so that tests neither read nor write the user's settings, and the
// platform is "offscreen" unless QT_QPA_PLATFORM is set (CTest sets it).
#include <stdlib.h>

#include <QApplication>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QString>
#include <QtGlobal>

#include <functional>
#include <string>

#include "temp_dir.h"  // (this folder)

namespace litefer::test {

/// The private home folder of this test binary, made on first use and removed at exit.
inline const std::string& testHome() {
    static const TempDir home("litefer-test-home");
    static const std::string path = home.str();
    return path;
}

/// The one QApplication of this test binary, made on first use (named `name`) and kept until
/// the process ends.
inline QApplication& testApplication(const char* name) {
    static int argc = 1;
    static std::string appName = name;
    static char* argv[] = {appName.data(), nullptr};
    static QApplication* instance = [] {
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) {
            qputenv("QT_QPA_PLATFORM", "offscreen");
        }
        const std::string& home = testHome();
        setenv("HOME", home.c_str(), 1);
        setenv("XDG_CONFIG_HOME", (home + "/.config").c_str(), 1);
        setenv("XDG_DATA_HOME", (home + "/.local/share").c_str(), 1);
        setenv("XDG_CACHE_HOME", (home + "/.cache").c_str(), 1);
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                           QString::fromStdString(home + "/.config"));
        return new QApplication(argc, argv);
    }();
    return *instance;
}

/// Runs the event loop for `ms` milliseconds (queued signals, timers, repaints).
inline void pumpEvents(int ms) {
    QElapsedTimer timer;
    timer.start();
    do {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    } while (timer.elapsed() < ms);
}

/// Runs the event loop until `done()` or `timeoutMs`; returns done().
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return done();
}

}  // namespace litefer::test
