#pragma once
// Private companion of crowdsafe/geometry.hpp: geometry helpers the venue readers share.

#include <cstddef>
#include <vector>

#include "crowdsafe/geometry.hpp"

namespace crowdsafe::detail {

/// contains(ring, p) for many points p of one ring: the same even-odd test, edge for edge and bit
/// for bit, but only over the edges whose y range holds p.y, so that testing every vertex of one
/// ring against another is not quadratic (DXF arcs become rings of up to 100,000 vertices). The
/// edges go into about n horizontal bands by their y range (a band index is monotonic in y, so an
/// edge with lo <= p.y <= hi is in p's band); edges over many bands are tested for every point.
/// With a coordinate that is not finite, every edge is tested, as contains() does. Keeps a
/// reference to `ring`, which must outlive it.
class PointInRing {
 public:
  explicit PointInRing(const Ring& ring);
  /// Same result as contains(ring, p).
  bool contains(Vec2 p) const;

 private:
  std::size_t band(double y) const;

  const Ring& ring_;
  double lo_ = 0.0, extent_ = 0.0, bands_ = 1.0;
  std::vector<std::size_t> start_, edges_, tall_;
};

}  // namespace crowdsafe::detail
