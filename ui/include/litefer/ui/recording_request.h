#pragma once
#include <QString>
namespace litefer::ui {
/// What the recording studio asks the analysis worker to record (core::SessionRecorder's inputs).
struct RecordingRequest {
    QString folder;       ///< session folder to create (must not hold a recording yet)
    QString participant;  ///< pseudonymous participant id
    QString session;      ///< session name
    QString notes;
    bool writeVideo = true;
    bool blurFaces = false;
};
}  // namespace litefer::ui
