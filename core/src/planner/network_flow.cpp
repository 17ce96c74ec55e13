#include "network_flow.hpp"

#include <algorithm>
#include <queue>
#include <stdexcept>
#include <utility>

namespace crowdsafe::detail {

FlowNetwork::FlowNetwork(int nodes) : head_(static_cast<std::size_t>(nodes), -1) {}

int FlowNetwork::add_arc(int from, int to, std::int64_t capacity, double cost) {
  if (capacity < 0 || cost < 0.0) throw std::invalid_argument("FlowNetwork: negative capacity or cost");
  const int k = static_cast<int>(arcs_.size());
  arcs_.push_back({to, head_[static_cast<std::size_t>(from)], capacity, cost});
  head_[static_cast<std::size_t>(from)] = k;
  arcs_.push_back({from, head_[static_cast<std::size_t>(to)], 0, -cost});
  head_[static_cast<std::size_t>(to)] = k + 1;
  capacity_.push_back(capacity);
  return k / 2;
}

void FlowNetwork::reset() {
  for (std::size_t k = 0; k < capacity_.size(); ++k) {
    arcs_[2 * k].cap = capacity_[k];
    arcs_[2 * k + 1].cap = 0;
  }
}

std::int64_t FlowNetwork::flow(int arc) const { return arcs_[2 * static_cast<std::size_t>(arc) + 1].cap; }

bool FlowNetwork::bfs(int s, int t) {
  level_.assign(head_.size(), -1);
  std::queue<int> q;
  level_[static_cast<std::size_t>(s)] = 0;
  q.push(s);
  while (!q.empty()) {
    const int v = q.front();
    q.pop();
    for (int k = head_[static_cast<std::size_t>(v)]; k >= 0; k = arcs_[static_cast<std::size_t>(k)].next) {
      const Arc& a = arcs_[static_cast<std::size_t>(k)];
      if (a.cap > 0 && level_[static_cast<std::size_t>(a.to)] < 0) {
        level_[static_cast<std::size_t>(a.to)] = level_[static_cast<std::size_t>(v)] + 1;
        q.push(a.to);
      }
    }
  }
  return level_[static_cast<std::size_t>(t)] >= 0;
}

std::int64_t FlowNetwork::dfs(int v, int t, std::int64_t pushed) {
  if (v == t || pushed == 0) return pushed;
  for (int& k = it_[static_cast<std::size_t>(v)]; k >= 0; k = arcs_[static_cast<std::size_t>(k)].next) {
    Arc& a = arcs_[static_cast<std::size_t>(k)];
    if (a.cap <= 0 || level_[static_cast<std::size_t>(a.to)] != level_[static_cast<std::size_t>(v)] + 1) continue;
    const std::int64_t got = dfs(a.to, t, std::min(pushed, a.cap));
    if (got > 0) {
      a.cap -= got;
      arcs_[static_cast<std::size_t>(k ^ 1)].cap += got;
      return got;
    }
  }
  return 0;
}

std::int64_t FlowNetwork::max_flow(int s, int t) {
  reset();
  std::int64_t total = 0;
  while (bfs(s, t)) {
    it_ = head_;
    while (const std::int64_t f = dfs(s, t, kInfinite)) total += f;
  }
  return total;
}

std::int64_t FlowNetwork::min_cost_flow(int s, int t, std::int64_t limit) {
  reset();
  const std::size_t n = head_.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> potential(n, 0.0), dist(n);
  std::vector<int> via(n);
  std::int64_t sent = 0;
  using Item = std::pair<double, int>;
  while (sent < limit) {
    // Dijkstra on reduced costs (non-negative thanks to the potentials).
    std::fill(dist.begin(), dist.end(), kInf);
    std::fill(via.begin(), via.end(), -1);
    std::priority_queue<Item, std::vector<Item>, std::greater<>> pq;
    dist[static_cast<std::size_t>(s)] = 0.0;
    pq.push({0.0, s});
    while (!pq.empty()) {
      const auto [d, v] = pq.top();
      pq.pop();
      if (d > dist[static_cast<std::size_t>(v)]) continue;
      for (int k = head_[static_cast<std::size_t>(v)]; k >= 0; k = arcs_[static_cast<std::size_t>(k)].next) {
        const Arc& a = arcs_[static_cast<std::size_t>(k)];
        if (a.cap <= 0) continue;
        const double nd = d + a.cost + potential[static_cast<std::size_t>(v)] - potential[static_cast<std::size_t>(a.to)];
        if (nd < dist[static_cast<std::size_t>(a.to)] - 1e-12) {
          dist[static_cast<std::size_t>(a.to)] = nd;
          via[static_cast<std::size_t>(a.to)] = k;
          pq.push({nd, a.to});
        }
      }
    }
    if (!(dist[static_cast<std::size_t>(t)] < kInf)) break;
    for (std::size_t v = 0; v < n; ++v)
      if (dist[v] < kInf) potential[v] += dist[v];
    std::int64_t push = limit - sent;
    for (int v = t; v != s; v = arcs_[static_cast<std::size_t>(via[static_cast<std::size_t>(v)] ^ 1)].to)
      push = std::min(push, arcs_[static_cast<std::size_t>(via[static_cast<std::size_t>(v)])].cap);
    for (int v = t; v != s; v = arcs_[static_cast<std::size_t>(via[static_cast<std::size_t>(v)] ^ 1)].to) {
      arcs_[static_cast<std::size_t>(via[static_cast<std::size_t>(v)])].cap -= push;
      arcs_[static_cast<std::size_t>(via[static_cast<std::size_t>(v)] ^ 1)].cap += push;
    }
    sent += push;
  }
  return sent;
}

}  // namespace crowdsafe::detail
