#pragma once
// Stand-in for oneTBB's partitioners in the ThreadSanitizer build only; see parallel_for.h.

namespace tbb {

/// Splits a range in halves until no piece is divisible (size <= grain size), as oneTBB's does.
class simple_partitioner {};

}  // namespace tbb
