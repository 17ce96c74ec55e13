#include "crowdsafe/agents.hpp"

namespace crowdsafe {

void AgentState::reserve(std::size_t n) {
  id.reserve(n);
  position.reserve(n);
  velocity.reserve(n);
  contact_force_N.reserve(n);
  desired_speed_m_s.reserve(n);
  radius_m.reserve(n);
  group.reserve(n);
  target.reserve(n);
  start_time_s.reserve(n);
  best_distance_m.reserve(n);
  last_progress_s.reserve(n);
}

void AgentState::move_slot(std::size_t from, std::size_t to) {
  id[to] = id[from];
  position[to] = position[from];
  velocity[to] = velocity[from];
  contact_force_N[to] = contact_force_N[from];
  desired_speed_m_s[to] = desired_speed_m_s[from];
  radius_m[to] = radius_m[from];
  group[to] = group[from];
  target[to] = target[from];
  start_time_s[to] = start_time_s[from];
  best_distance_m[to] = best_distance_m[from];
  last_progress_s[to] = last_progress_s[from];
}

void AgentState::resize(std::size_t n) {
  id.resize(n);
  position.resize(n);
  velocity.resize(n);
  contact_force_N.resize(n);
  desired_speed_m_s.resize(n);
  radius_m.resize(n);
  group.resize(n);
  target.resize(n);
  start_time_s.resize(n);
  best_distance_m.resize(n);
  last_progress_s.resize(n);
}

std::uint64_t state_hash(const AgentState& a) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  };
  for (std::size_t i = 0; i < a.size(); ++i) {
    mix(&a.id[i].value, sizeof a.id[i].value);
    mix(&a.position[i], sizeof(Vec2));
    mix(&a.velocity[i], sizeof(Vec2));
  }
  return h;
}

}  // namespace crowdsafe
