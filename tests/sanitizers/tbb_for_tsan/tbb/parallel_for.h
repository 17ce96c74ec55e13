#pragma once
// Stand-in for oneTBB's parallel_for, used only by the ThreadSanitizer build of
// tests/sanitizers/ (docs/reliability.md). Debian's libtbb is not built with -fsanitize=thread,
// so TSan cannot see the synchronisation inside it and reports races in oneTBB's own task
// objects (start_for) and on every array the step hands from one phase to the next. This
// stand-in runs the same chunks (a range split in halves until no piece is larger than the
// grain size, as simple_partitioner does) on std::threads started and joined here, which TSan
// understands; a race it reports is then one in crowdsafe's code. oneTBB itself is not checked.

#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "blocked_range.h"
#include "partitioner.h"
#include "task_arena.h"

namespace tbb {

template <class Range, class Body>
void parallel_for(const Range& range, const Body& body, const simple_partitioner&) {
  std::vector<Range> chunks;
  std::vector<Range> pending{range};
  while (!pending.empty()) {
    Range r = pending.back();
    pending.pop_back();
    if (!r.is_divisible()) {
      if (!r.empty()) chunks.push_back(r);
      continue;
    }
    const auto middle = r.begin() + (r.end() - r.begin()) / 2;
    pending.emplace_back(middle, r.end(), r.grainsize());
    pending.emplace_back(r.begin(), middle, r.grainsize());
  }
  const int arena = sanitizer_detail::arena_concurrency;
  std::size_t threads = arena > 0 ? static_cast<std::size_t>(arena) : std::thread::hardware_concurrency();
  if (threads > chunks.size()) threads = chunks.size();
  if (threads < 1) threads = 1;

  // Thread t runs chunks t, t + threads, ...: a fixed assignment with no synchronisation between
  // the threads but their start and join, so TSan reports every conflicting access between two
  // chunks on different threads, however the threads happen to be timed.
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](std::size_t first) {
    for (std::size_t i = first; i < chunks.size(); i += threads) {
      try {
        body(chunks[i]);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work, t);
  work(0);
  for (auto& h : helpers) h.join();
  if (error) std::rethrow_exception(error);
}

template <class Range, class Body>
void parallel_for(const Range& range, const Body& body) {
  parallel_for(range, body, simple_partitioner());
}

}  // namespace tbb
