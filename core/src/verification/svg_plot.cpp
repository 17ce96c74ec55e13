#include "svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace crowdsafe::verify::detail {

namespace {

constexpr double kWidth = 640, kHeight = 420;
constexpr double kLeft = 70, kRight = 20, kTop = 40, kBottom = 55;
const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A tick step of 1, 2 or 5 × 10^k giving about five intervals over [lo, hi].
double tick_step(double lo, double hi) {
  const double raw = (hi - lo) / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * mag >= raw) return m * mag;
  return 10.0 * mag;
}

struct Axis {
  double lo = 0, hi = 1, step = 0.2;
  void fit(double min, double max, bool from_zero) {
    if (!std::isfinite(min)) min = 0, max = 1;
    if (from_zero) min = std::min(min, 0.0), max = std::max(max, 0.0);
    if (max - min < 1e-12) max = min + 1.0;
    step = tick_step(min, max);
    // A value a hair below a tick (−0.00 m/s) does not open a whole interval.
    lo = std::floor(min / step + 1e-3) * step;
    hi = std::ceil(max / step - 1e-3) * step;
  }
};

std::string tick_text(double v, double step) {
  char buf[32];
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step * 1e-6 ? 0.0 : v);
  return buf;
}

}  // namespace

std::string render_svg(const Plot& plot) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : plot.series)
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
    }
  Axis ax, ay;
  ax.fit(x0, x1, plot.x_from_zero);
  ay.fit(y0, y1, plot.y_from_zero);
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - ax.lo) / (ax.hi - ax.lo) * pw; };
  auto py = [&](double y) { return kTop + ph - (y - ay.lo) / (ay.hi - ay.lo) * ph; };

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
    << "\" viewBox=\"0 0 " << kWidth << ' ' << kHeight << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << kWidth / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">" << escape(plot.title) << "</text>\n";
  // Grid and ticks.
  for (double v = ax.lo; v <= ax.hi + ax.step * 1e-6; v += ax.step) {
    o << "<line x1=\"" << num(px(v)) << "\" y1=\"" << kTop << "\" x2=\"" << num(px(v)) << "\" y2=\"" << kTop + ph
      << "\" stroke=\"#e0e0e0\"/>\n";
    o << "<text x=\"" << num(px(v)) << "\" y=\"" << kTop + ph + 16 << "\" text-anchor=\"middle\">" << tick_text(v, ax.step) << "</text>\n";
  }
  for (double v = ay.lo; v <= ay.hi + ay.step * 1e-6; v += ay.step) {
    o << "<line x1=\"" << kLeft << "\" y1=\"" << num(py(v)) << "\" x2=\"" << kLeft + pw << "\" y2=\"" << num(py(v))
      << "\" stroke=\"#e0e0e0\"/>\n";
    o << "<text x=\"" << kLeft - 6 << "\" y=\"" << num(py(v) + 4) << "\" text-anchor=\"end\">" << tick_text(v, ay.step) << "</text>\n";
  }
  o << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << pw << "\" height=\"" << ph
    << "\" fill=\"none\" stroke=\"black\"/>\n";
  o << "<text x=\"" << kLeft + pw / 2 << "\" y=\"" << kHeight - 14 << "\" text-anchor=\"middle\">" << escape(plot.x_label) << "</text>\n";
  o << "<text transform=\"translate(18," << kTop + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << escape(plot.y_label)
    << "</text>\n";
  // Series, then the legend in the top right corner on a white box.
  auto color_of = [&](std::size_t k) {
    return plot.series[k].color.empty() ? std::string(kPalette[k % std::size(kPalette)]) : plot.series[k].color;
  };
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const auto& s = plot.series[k];
    const std::size_t n = std::min(s.x.size(), s.y.size());
    if (s.style != Series::Style::Markers) {
      o << "<polyline fill=\"none\" stroke=\"" << color_of(k) << "\" stroke-width=\"2\""
        << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << " points=\"";
      for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) o << num(px(s.x[i])) << ',' << num(py(s.y[i])) << ' ';
      o << "\"/>\n";
    }
    if (s.style != Series::Style::Line)
      for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
          o << "<circle cx=\"" << num(px(s.x[i])) << "\" cy=\"" << num(py(s.y[i])) << "\" r=\"4\" fill=\"" << color_of(k)
            << "\"/>\n";
  }
  // The legend goes in the top corner (right or left) that covers fewer data points.
  const double box_h = 18.0 * static_cast<double>(plot.series.size()) + 8.0;
  auto covered = [&](double x0) {
    int n = 0;
    for (const auto& s : plot.series)
      for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
        const double x = px(s.x[i]), y = py(s.y[i]);
        n += (x >= x0 && x <= x0 + 226 && y >= kTop && y <= kTop + 4 + box_h) ? 1 : 0;
      }
    return n;
  };
  const double lx = covered(kLeft + pw - 230) <= covered(kLeft + 4) ? kLeft + pw - 224 : kLeft + 10;
  o << "<rect x=\"" << lx - 6 << "\" y=\"" << kTop + 4 << "\" width=\"226\" height=\"" << box_h
    << "\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#c0c0c0\"/>\n";
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const auto& s = plot.series[k];
    const double ly = kTop + 20 + 18 * static_cast<double>(k);
    if (s.style != Series::Style::Markers)
      o << "<line x1=\"" << lx << "\" y1=\"" << ly - 4 << "\" x2=\"" << lx + 24 << "\" y2=\"" << ly - 4 << "\" stroke=\""
        << color_of(k) << "\" stroke-width=\"2\"" << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << "/>\n";
    if (s.style != Series::Style::Line)
      o << "<circle cx=\"" << lx + 12 << "\" cy=\"" << ly - 4 << "\" r=\"4\" fill=\"" << color_of(k) << "\"/>\n";
    o << "<text x=\"" << lx + 30 << "\" y=\"" << ly << "\">" << escape(s.label) << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace crowdsafe::verify::detail
