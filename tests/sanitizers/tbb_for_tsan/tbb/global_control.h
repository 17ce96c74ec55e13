#pragma once
// Stand-in for oneTBB's global_control in the ThreadSanitizer build only; see parallel_for.h.
// The stand-in starts as many threads as the task_arena asks for, so the limit has nothing to do.

#include <cstddef>

namespace tbb {

class global_control {
 public:
  enum parameter { max_allowed_parallelism, thread_stack_size };
  global_control(parameter, std::size_t) {}
};

}  // namespace tbb
