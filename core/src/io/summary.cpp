#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "crowdsafe/runner.hpp"

namespace crowdsafe {

namespace {

// The one list of summary.json keys, for writing and reading alike (docs/output-format.md).
template <class Summary, class Visit>
void summary_fields(Summary& s, Visit&& f) {
  f("scenario", s.scenario);
  f("status", s.status);
  f("seed", s.seed);
  f("threads", s.threads);
  f("agents_total", s.agents_total);
  f("agents_evacuated", s.agents_evacuated);
  f("agents_remaining", s.agents_remaining);
  f("agents_stalled", s.agents_stalled);
  f("stalled_ids", s.stalled_ids);
  f("simulated_time_s", s.simulated_time_s);
  f("wall_time_s", s.wall_time_s);
  f("steps", s.steps);
  f("agent_updates", s.agent_updates);
  f("agent_updates_per_second", s.agent_updates_per_second);
  f("real_time_factor", s.real_time_factor);
  f("evacuation_time_p50_s", s.evacuation_time_p50_s);
  f("evacuation_time_p95_s", s.evacuation_time_p95_s);
  f("evacuation_time_max_s", s.evacuation_time_max_s);
  f("max_contact_force_N", s.max_contact_force_N);
  f("cutoff_m", s.cutoff_m);
  f("trajectory_file", s.trajectory_file);
}

// Gates, keys as GateStats (simulation.hpp): counts in persons, waits in s and person·s.
template <class Gate, class Visit>
void gate_fields(Gate& g, Visit&& f) {
  f("name", g.name);
  f("crossings_in", g.crossings_in);
  f("crossings_out", g.crossings_out);
  f("forced_crossings", g.forced_crossings);
  f("permits", g.permits);
  f("max_queue_persons", g.max_queue_persons);
  f("mean_wait_s", g.mean_wait_s);
  f("max_wait_s", g.max_wait_s);
  f("total_wait_person_s", g.total_wait_person_s);
}

}  // namespace

std::string summary_json(const RunSummary& s) {
  nlohmann::ordered_json j;
  auto put = [](nlohmann::ordered_json& o) { return [&o](const char* key, const auto& v) { o[key] = v; }; };
  summary_fields(s, put(j));
  j["gates"] = nlohmann::ordered_json::array();
  for (const GateStats& g : s.gates) {
    nlohmann::ordered_json o;
    gate_fields(g, put(o));
    j["gates"].push_back(std::move(o));
  }
  return j.dump(2);
}

RunSummary read_summary_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  RunSummary s;
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    auto get = [](const nlohmann::json& o) {
      return [&o](const char* key, auto& v) {
        if (o.contains(key) && !o.at(key).is_null()) o.at(key).get_to(v);
      };
    };
    summary_fields(s, get(j));
    if (j.contains("gates"))
      for (const auto& g : j.at("gates")) gate_fields(s.gates.emplace_back(), get(g));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + ": not a crowdsafe summary.json (" + e.what() + ")");
  }
  return s;
}

void write_summary_json(const RunSummary& s, const std::filesystem::path& file) {
  // Write beside the target and rename, so a reader never sees half a file.
  const auto tmp = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream out(tmp);
    if (!out) throw std::runtime_error("cannot write " + tmp.string() + ": check that the folder is writable");
    out << summary_json(s) << "\n";
    if (!out) throw std::runtime_error("failed writing " + tmp.string());
  }
  std::filesystem::rename(tmp, file);
}

}  // namespace crowdsafe
