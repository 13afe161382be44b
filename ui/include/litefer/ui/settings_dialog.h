#pragma once
// SettingsDialog: the analysis settings a person may tune — detector score threshold, smallest
// face, smoothing time constant and label dwell — with their documented defaults
// (core::DetectorOptions, core::SmootherOptions). Edits an AnalysisConfig; the main window
// applies and persists it.
#include <QDialog>

#include "litefer/ui/analysis_types.h"

class QDoubleSpinBox;
class QSpinBox;

namespace litefer::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT

  public:
    explicit SettingsDialog(const AnalysisConfig& config, QWidget* parent = nullptr);
    /// `config` with the dialog's values in place of the tunable ones.
    AnalysisConfig result(const AnalysisConfig& config) const;

  private:
    void restoreDefaults();

    QDoubleSpinBox* threshold_ = nullptr;
    QSpinBox* minFace_ = nullptr;
    QSpinBox* tau_ = nullptr;
    QSpinBox* dwell_ = nullptr;
};

}  // namespace litefer::ui
