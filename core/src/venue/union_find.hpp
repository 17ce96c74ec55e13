#pragma once
// Disjoint sets over 0..n-1 with path halving; used to group welded points, connected faces
// and levels of a mesh.

#include <cstddef>
#include <numeric>
#include <utility>
#include <vector>

namespace crowdsafe::detail {

struct UnionFind {
  std::vector<std::size_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  // The smaller index stays the root, so a cluster is represented by its first member.
  void unite(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent[b] = a;
  }
};

}  // namespace crowdsafe::detail
