#pragma once
// Binary checkpoint streams: little helpers that write and read plain values and vectors of
// trivially copyable values, with a magic header and a trailing checksum so a truncated or
// foreign file is refused instead of silently resumed.

#include <cstdint>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace crowdsafe::detail {

class CheckpointWriter {
 public:
  explicit CheckpointWriter(std::ostream& out) : out_(out) {}
  template <class T>
  void value(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(&v, sizeof v);
  }
  template <class T>
  void vector(const std::vector<T>& v) {
    value(static_cast<std::uint64_t>(v.size()));
    if (!v.empty()) bytes(v.data(), v.size() * sizeof(T));
  }
  void text(const std::string& s) {
    value(static_cast<std::uint64_t>(s.size()));
    bytes(s.data(), s.size());
  }
  /// Writes the checksum of everything written so far.
  void finish() {
    const std::uint64_t h = hash_;
    out_.write(reinterpret_cast<const char*>(&h), sizeof h);
    if (!out_) throw std::runtime_error("checkpoint: write failed");
  }

 private:
  void bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) hash_ = (hash_ ^ b[i]) * 1099511628211ULL;
    out_.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
  }
  std::ostream& out_;
  std::uint64_t hash_ = 1469598103934665603ULL;
};

class CheckpointReader {
 public:
  explicit CheckpointReader(std::istream& in) : in_(in) {}
  template <class T>
  T value() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    bytes(&v, sizeof v);
    return v;
  }
  template <class T>
  std::vector<T> vector(std::uint64_t max_size) {
    const auto n = value<std::uint64_t>();
    if (n > max_size) throw std::runtime_error("checkpoint: corrupt (a list is larger than possible)");
    std::vector<T> v(n);
    if (n) bytes(v.data(), n * sizeof(T));
    return v;
  }
  std::string text() {
    const auto n = value<std::uint64_t>();
    if (n > (1u << 30)) throw std::runtime_error("checkpoint: corrupt (text too long)");
    std::string s(n, '\0');
    bytes(s.data(), n);
    return s;
  }
  /// Checks the trailing checksum.
  void finish() {
    const std::uint64_t expected = hash_;
    std::uint64_t stored = 0;
    in_.read(reinterpret_cast<char*>(&stored), sizeof stored);
    if (!in_ || stored != expected) throw std::runtime_error("checkpoint: checksum mismatch (file truncated or damaged)");
  }

 private:
  void bytes(void* p, std::size_t n) {
    in_.read(static_cast<char*>(p), static_cast<std::streamsize>(n));
    if (!in_) throw std::runtime_error("checkpoint: file ends early (truncated)");
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) hash_ = (hash_ ^ b[i]) * 1099511628211ULL;
  }
  std::istream& in_;
  std::uint64_t hash_ = 1469598103934665603ULL;
};

}  // namespace crowdsafe::detail
