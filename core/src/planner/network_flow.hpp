#pragma once
// Network flow on small graphs (a few thousand nodes): maximum flow (Dinic) to test whether an
// evacuation fits a time horizon, and minimum-cost flow (successive shortest paths with
// Dijkstra and potentials; costs must be >= 0) to choose the cheapest assignment that fits.

#include <cstdint>
#include <limits>
#include <vector>

namespace crowdsafe::detail {

class FlowNetwork {
 public:
  static constexpr std::int64_t kInfinite = std::numeric_limits<std::int64_t>::max() / 4;

  explicit FlowNetwork(int nodes);
  /// Adds an arc with capacity >= 0 and cost >= 0 (persons, s per person); returns its index.
  int add_arc(int from, int to, std::int64_t capacity, double cost = 0.0);
  /// Maximum flow from s to t (resets earlier flow).
  std::int64_t max_flow(int s, int t);
  /// Sends up to `limit` units from s to t at minimum total cost (resets earlier flow);
  /// returns the units sent.
  std::int64_t min_cost_flow(int s, int t, std::int64_t limit);
  /// Flow on arc `arc` after the last solve.
  std::int64_t flow(int arc) const;
  int nodes() const { return static_cast<int>(head_.size()); }

 private:
  struct Arc {
    int to;
    int next;
    std::int64_t cap;  // residual
    double cost;
  };
  void reset();
  bool bfs(int s, int t);
  std::int64_t dfs(int v, int t, std::int64_t pushed);

  std::vector<int> head_;
  std::vector<Arc> arcs_;                 // arc 2k forward, 2k+1 its reverse
  std::vector<std::int64_t> capacity_;    // original capacity per forward arc
  std::vector<int> level_, it_;
};

}  // namespace crowdsafe::detail
