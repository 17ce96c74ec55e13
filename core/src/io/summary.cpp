#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "crowdsafe/runner.hpp"

namespace crowdsafe {

std::string summary_json(const RunSummary& s) {
  nlohmann::ordered_json j;
  j["scenario"] = s.scenario;
  j["status"] = s.status;
  j["seed"] = s.seed;
  j["threads"] = s.threads;
  j["agents_total"] = s.agents_total;
  j["agents_evacuated"] = s.agents_evacuated;
  j["agents_remaining"] = s.agents_remaining;
  j["agents_stalled"] = s.agents_stalled;
  j["stalled_ids"] = s.stalled_ids;
  j["simulated_time_s"] = s.simulated_time_s;
  j["wall_time_s"] = s.wall_time_s;
  j["steps"] = s.steps;
  j["agent_updates"] = s.agent_updates;
  j["agent_updates_per_second"] = s.agent_updates_per_second;
  j["real_time_factor"] = s.real_time_factor;
  j["evacuation_time_p50_s"] = s.evacuation_time_p50_s;
  j["evacuation_time_p95_s"] = s.evacuation_time_p95_s;
  j["evacuation_time_max_s"] = s.evacuation_time_max_s;
  j["max_contact_force_N"] = s.max_contact_force_N;
  j["cutoff_m"] = s.cutoff_m;
  j["trajectory_file"] = s.trajectory_file;
  // Gates, keys as GateStats (simulation.hpp): counts in persons, waits in s and person·s.
  j["gates"] = nlohmann::ordered_json::array();
  for (const GateStats& g : s.gates) {
    nlohmann::ordered_json o;
    o["name"] = g.name;
    o["crossings_in"] = g.crossings_in;
    o["crossings_out"] = g.crossings_out;
    o["forced_crossings"] = g.forced_crossings;
    o["permits"] = g.permits;
    o["max_queue_persons"] = g.max_queue_persons;
    o["mean_wait_s"] = g.mean_wait_s;
    o["max_wait_s"] = g.max_wait_s;
    o["total_wait_person_s"] = g.total_wait_person_s;
    j["gates"].push_back(std::move(o));
  }
  return j.dump(2);
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
