#pragma once
// A small SVG line/scatter plot writer for the verification report: axes with "nice" ticks,
// axis labels, a legend, lines and markers. No dependencies, so `crowdsafe verify` needs no
// Python.

#include <string>
#include <utility>
#include <vector>

namespace crowdsafe::verify::detail {

/// One data series. Points with a non-finite coordinate are skipped.
struct Series {
  enum class Style { Line, Markers, LineMarkers };
  Series(std::string label_, std::vector<double> x_, std::vector<double> y_, Style style_ = Style::LineMarkers,
         std::string color_ = {}, bool dashed_ = false)
      : label(std::move(label_)), x(std::move(x_)), y(std::move(y_)), style(style_), color(std::move(color_)),
        dashed(dashed_) {}
  std::string label;
  std::vector<double> x, y;
  Style style = Style::LineMarkers;
  std::string color;  ///< CSS colour; empty = next colour of the palette
  bool dashed = false;
};

/// A plot: title, axis labels (with units) and series. Axis ranges cover the data (and 0 where
/// `from_zero`) unless given.
struct Plot {
  Plot(std::string title_, std::string x_label_, std::string y_label_, std::vector<Series> series_,
       bool x_from_zero_ = true, bool y_from_zero_ = true)
      : title(std::move(title_)), x_label(std::move(x_label_)), y_label(std::move(y_label_)),
        series(std::move(series_)), x_from_zero(x_from_zero_), y_from_zero(y_from_zero_) {}
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool x_from_zero = true, y_from_zero = true;
};

/// The plot as a standalone SVG document (640 × 420 px).
std::string render_svg(const Plot& plot);

}  // namespace crowdsafe::verify::detail
