#pragma once
/// @file errors.hpp
/// The two error types users see: bad input, and a failure during a step.

#include <stdexcept>
#include <string>
#include <vector>

namespace crowdsafe {

/// Where in an input file a value came from (1-based line and column; 0 = unknown).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:col" (or the parts that are known).
  std::string str() const;
};

/// One problem found in the input: where, which field, and what to do.
struct InputProblem {
  SourceLocation where;
  std::string field;    ///< dotted path such as "groups[2].count"
  std::string message;  ///< what is wrong and how to fix it

  /// Compiler-style line: "file:line:col: field: message".
  std::string str() const;
};

/// Invalid input (scenario, geometry, parameters); lists every problem found.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<InputProblem> problems);
  /// Single-problem convenience constructor.
  InputError(SourceLocation where, std::string field, std::string message);

  const std::vector<InputProblem>& problems() const { return problems_; }

 private:
  std::vector<InputProblem> problems_;
};

/// Collects problems so a reader can report all of them at once.
class ProblemList {
 public:
  void add(SourceLocation where, std::string field, std::string message);
  bool empty() const { return problems_.empty(); }
  /// Throws InputError if any problem was added.
  void throw_if_any() const;

 private:
  std::vector<InputProblem> problems_;
};

/// A step failed (non-finite state, agent through a wall); names agent, step and time.
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace crowdsafe
