#pragma once
// Stand-in for oneTBB's blocked_range in the ThreadSanitizer build only; see parallel_for.h.

#include <cstddef>

namespace tbb {

template <class Value>
class blocked_range {
 public:
  blocked_range(Value begin, Value end, std::size_t grainsize = 1) : begin_(begin), end_(end), grainsize_(grainsize) {}
  Value begin() const { return begin_; }
  Value end() const { return end_; }
  std::size_t size() const { return static_cast<std::size_t>(end_ - begin_); }
  std::size_t grainsize() const { return grainsize_; }
  bool empty() const { return !(begin_ < end_); }
  bool is_divisible() const { return grainsize_ < size(); }

 private:
  Value begin_, end_;
  std::size_t grainsize_;
};

}  // namespace tbb
