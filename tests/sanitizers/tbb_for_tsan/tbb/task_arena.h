#pragma once
// Stand-in for oneTBB's task_arena in the ThreadSanitizer build only; see parallel_for.h.

#include <thread>
#include <utility>

namespace tbb {
namespace sanitizer_detail {
/// Threads parallel_for uses on this thread: the concurrency of the arena it runs in.
inline thread_local int arena_concurrency = 0;
}  // namespace sanitizer_detail

class task_arena {
 public:
  static constexpr int automatic = -1;
  explicit task_arena(int max_concurrency = automatic)
      : concurrency_(max_concurrency > 0 ? max_concurrency : static_cast<int>(std::thread::hardware_concurrency())) {
    if (concurrency_ < 1) concurrency_ = 1;
  }
  int max_concurrency() const { return concurrency_; }

  template <class F>
  decltype(auto) execute(F&& f) {
    struct Restore {
      int previous = sanitizer_detail::arena_concurrency;
      ~Restore() { sanitizer_detail::arena_concurrency = previous; }
    } restore;
    sanitizer_detail::arena_concurrency = concurrency_;
    return std::forward<F>(f)();
  }

 private:
  int concurrency_;
};

}  // namespace tbb
