#pragma once
/// @file ids.hpp
/// Strong ids: an AgentId is never reused within a simulation; exits and groups are indexes
/// into the scenario's lists.

#include <compare>
#include <cstdint>
#include <functional>

namespace crowdsafe {

/// Typed integer id; Tag makes AgentId and ExitId different types.
template <class Tag>
struct Id {
  std::int64_t value = -1;
  constexpr Id() = default;
  constexpr explicit Id(std::int64_t v) : value(v) {}
  constexpr bool valid() const { return value >= 0; }
  constexpr auto operator<=>(const Id&) const = default;
};

using AgentId = Id<struct AgentTag>;    ///< per-simulation counter, starting at 0, never reused
using ExitId = Id<struct ExitTag>;      ///< index into Scenario::exits
using GroupId = Id<struct GroupTag>;    ///< index into Scenario::groups, then Scenario::sources
using TargetId = Id<struct TargetTag>;  ///< index into the navigation targets

}  // namespace crowdsafe

template <class Tag>
struct std::hash<crowdsafe::Id<Tag>> {
  std::size_t operator()(const crowdsafe::Id<Tag>& id) const noexcept {
    return std::hash<std::int64_t>{}(id.value);
  }
};
