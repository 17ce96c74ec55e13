#pragma once
// printf-style formatting into a std::string, sized to fit (messages and report texts can be
// long; a fixed buffer would cut them off).

#include <cstdio>
#include <string>

namespace crowdsafe::detail {

/// Formats like std::snprintf; the result is never truncated.
template <class... Args>
std::string format(const char* f, Args... args) {
  const int n = std::snprintf(nullptr, 0, f, args...);
  if (n <= 0) return {};
  std::string out(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), f, args...);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace crowdsafe::detail
