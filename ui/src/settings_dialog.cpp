#include "litefer/ui/settings_dialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace litefer::ui {

SettingsDialog::SettingsDialog(const AnalysisConfig& config, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Analysis settings"));

    threshold_ = new QDoubleSpinBox(this);
    threshold_->setRange(0.05, 0.99);
    threshold_->setSingleStep(0.05);
    threshold_->setDecimals(2);
    threshold_->setValue(static_cast<double>(config.detection.scoreThreshold));
    threshold_->setToolTip(tr("YuNet: faces scoring below this are ignored (Haar has no score)."));

    minFace_ = new QSpinBox(this);
    minFace_->setRange(16, 1000);
    minFace_->setSuffix(tr(" px"));
    minFace_->setValue(config.detection.minFaceSize);
    minFace_->setToolTip(
        tr("Smaller faces (the shorter side of the box, in frame pixels) are "
           "ignored."));

    tau_ = new QSpinBox(this);
    tau_->setRange(0, 5000);
    tau_->setSingleStep(50);
    tau_->setSuffix(tr(" ms"));
    tau_->setValue(static_cast<int>(std::lround(config.tracking.smoothing.tauMs)));
    tau_->setToolTip(
        tr("Time constant of the smoothing: after this long a change is 63% "
           "through. 0: no smoothing."));

    dwell_ = new QSpinBox(this);
    dwell_->setRange(0, 5000);
    dwell_->setSingleStep(50);
    dwell_->setSuffix(tr(" ms"));
    dwell_->setValue(static_cast<int>(std::lround(config.tracking.smoothing.minDwellMs)));
    dwell_->setToolTip(
        tr("The shown emotion changes only after another one has led for this "
           "long. 0: at once."));

    auto* form = new QFormLayout;
    form->addRow(tr("Face &score threshold:"), threshold_);
    form->addRow(tr("Smallest &face:"), minFace_);
    form->addRow(tr("S&moothing time constant:"), tau_);
    form->addRow(tr("Label &dwell:"), dwell_);

    auto* buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            &SettingsDialog::restoreDefaults);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto* note =
        new QLabel(tr("Changing these restarts the analysis (tracks start afresh)."), this);
    note->setWordWrap(true);
    note->setEnabled(false);
    layout->addWidget(note);
    layout->addWidget(buttons);
}

AnalysisConfig SettingsDialog::result(const AnalysisConfig& config) const {
    AnalysisConfig out = config;
    out.detection.scoreThreshold = static_cast<float>(threshold_->value());
    out.detection.minFaceSize = minFace_->value();
    out.tracking.smoothing.tauMs = tau_->value();
    out.tracking.smoothing.minDwellMs = dwell_->value();
    return out;
}

void SettingsDialog::restoreDefaults() {
    const core::DetectorOptions detection;
    const core::SmootherOptions smoothing;
    threshold_->setValue(static_cast<double>(detection.scoreThreshold));
    minFace_->setValue(detection.minFaceSize);
    tau_->setValue(static_cast<int>(std::lround(smoothing.tauMs)));
    dwell_->setValue(static_cast<int>(std::lround(smoothing.minDwellMs)));
}

}  // namespace litefer::ui
