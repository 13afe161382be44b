// Renders LiteFER's application icon (the geometry of litefer.svg, drawn with QPainter so that
// no SVG module is needed) to litefer-<size>.png for the usual icon sizes. Not part of the build;
// run it after changing the icon:
//
//   g++ -std=c++17 -fPIC resources/icons/render_icon.cpp -o /tmp/render_icon \
//       $(pkg-config --cflags --libs Qt6Gui) && QT_QPA_PLATFORM=offscreen /tmp/render_icon
//       resources/icons
#include <QGuiApplication>
#include <QImage>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QString>

int main(int argc, char** argv) {
    QGuiApplication app(argc, argv);
    const QString dir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(".");
    for (int size : {16, 24, 32, 48, 64, 128, 256}) {
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 256.0, size / 256.0);  // the SVG's 256x256 view box
        QLinearGradient bg(0, 8, 0, 248);
        bg.setColorAt(0, QColor(0x2b, 0x6c, 0xb0));
        bg.setColorAt(1, QColor(0x1a, 0x36, 0x5d));
        p.setPen(Qt::NoPen);
        p.setBrush(bg);
        p.drawRoundedRect(QRectF(8, 8, 240, 240), 48, 48);
        QPainterPath corners;
        corners.moveTo(56, 92);
        corners.lineTo(56, 56);
        corners.lineTo(92, 56);
        corners.moveTo(164, 56);
        corners.lineTo(200, 56);
        corners.lineTo(200, 92);
        corners.moveTo(200, 164);
        corners.lineTo(200, 200);
        corners.lineTo(164, 200);
        corners.moveTo(92, 200);
        corners.lineTo(56, 200);
        corners.lineTo(56, 164);
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(QColor(0xf6, 0xad, 0x55), 14, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.drawPath(corners);
        p.setPen(Qt::NoPen);
        p.setBrush(Qt::white);
        p.drawEllipse(QPointF(128, 128), 54, 54);
        const QColor ink(0x1a, 0x36, 0x5d);
        p.setBrush(ink);
        p.drawEllipse(QPointF(108, 116), 8, 8);
        p.drawEllipse(QPointF(148, 116), 8, 8);
        QPainterPath mouth;
        mouth.moveTo(102, 142);
        mouth.quadTo(128, 168, 154, 142);
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(ink, 9, Qt::SolidLine, Qt::RoundCap));
        p.drawPath(mouth);
        p.end();
        image.save(QStringLiteral("%1/litefer-%2.png").arg(dir).arg(size));
    }
    return 0;
}
