#include "crowdsafe/errors.hpp"

#include <utility>

namespace crowdsafe {

std::string SourceLocation::str() const {
  std::string s;
  s.reserve(file.size() + 16);
  s.append(file.empty() ? "<input>" : file);
  if (line > 0) {
    s.append(":").append(std::to_string(line));
    if (column > 0) s.append(":").append(std::to_string(column));
  }
  return s;
}

std::string InputProblem::str() const {
  std::string s = where.str() + ": ";
  if (!field.empty()) s += field + ": ";
  return s + message;
}

namespace {
std::string join(const std::vector<InputProblem>& problems) {
  std::string s;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    if (i) s += "\n";
    s += problems[i].str();
  }
  return s;
}
}  // namespace

InputError::InputError(std::vector<InputProblem> problems)
    : std::runtime_error(join(problems)), problems_(std::move(problems)) {}

InputError::InputError(SourceLocation where, std::string field, std::string message)
    : InputError(std::vector<InputProblem>{{std::move(where), std::move(field), std::move(message)}}) {}

void ProblemList::add(SourceLocation where, std::string field, std::string message) {
  problems_.push_back({std::move(where), std::move(field), std::move(message)});
}

void ProblemList::throw_if_any() const {
  if (!problems_.empty()) throw InputError(problems_);
}

}  // namespace crowdsafe
