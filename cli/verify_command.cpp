#include "verify_command.hpp"

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "crowdsafe/verification.hpp"

namespace crowdsafe::cli {

namespace {

struct VerifyFlags {
  bool quick = false;
  std::string out = "verification";
  std::string filter;
  int threads = 2;
  bool list = false;
};

int verify(const VerifyFlags& f) {
  if (f.list) {
    for (const auto& id : verify::suite_ids()) std::printf("%s\n", id.c_str());
    return 0;
  }
  verify::SuiteOptions opt;
  opt.quick = f.quick;
  opt.out = f.out;
  opt.filter = f.filter;
  opt.threads = f.threads;
  opt.on_result = [](const verify::TestResult& r) {
    std::printf("%-4s  %-26s %s (%.1f s)\n", r.pass ? "PASS" : "FAIL", r.id.c_str(), r.measured.c_str(), r.wall_s);
    std::fflush(stdout);
  };
  std::printf("crowdsafe verify%s: %zu tests, report in %s/validation.md\n", f.quick ? " --quick" : "",
              verify::suite_ids().size(), f.out.c_str());
  try {
    const verify::SuiteReport rep = verify::run_suite(opt);
    int failed = 0;
    for (const auto& r : rep.results) failed += r.pass ? 0 : 1;
    std::printf("%zu tests, %d failed, %.0f s; report: %s/validation.md\n", rep.results.size(), failed, rep.wall_s,
                f.out.c_str());
    return rep.all_passed() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 3;
  }
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Run the verification and validation suite: RiMEA tests 1-16, NIST TN 1822 / ISO 20414 components and\n"
      "comparisons with experiments (Weidmann, bottleneck widths, Zhang bidirectional, lane formation).\n"
      "Writes DIR/validation.md with figures in DIR/validation/; prints PASS or FAIL per test.\n"
      "Exit code 0 when every test passes, 1 when any fails. Example: crowdsafe verify --quick --out /tmp/v");
  cmd->add_flag("--quick", flags->quick, "Reduced sizes and seeds (a few minutes on 2 cores)");
  cmd->add_option("--out,-o", flags->out, "Report folder (created if missing); default ./verification");
  cmd->add_option("--filter", flags->filter, "Run only the tests whose id contains this text, e.g. 'RiMEA 1'");
  cmd->add_flag("--list", flags->list, "Print the test ids, one a line, and run nothing");
  cmd->add_option("--threads,-t", flags->threads, "Worker threads per simulation; 0 = all cores")->check(CLI::Range(0, 1024));
  cmd->callback([flags] { throw CLI::RuntimeError(verify(*flags)); });
}

}  // namespace crowdsafe::cli
