#include "command_line_check.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "exit_codes.hpp"

namespace firehose::cli {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Options whose value is the next word (global ones, which may come before the command).
bool takes_value(const CLI::App& app, std::string_view name) {
  const CLI::Option* option = app.get_option_no_throw(std::string(name));
  return option != nullptr && option->get_items_expected_min() > 0;
}

CLI::App* find_command(CLI::App& app, std::string_view name) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->check_name(std::string(name))) return sub;
  }
  return nullptr;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

std::vector<std::string> long_option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

int mistake(const std::string& message) {
  std::fprintf(stderr, "error: %s\nrun 'firehose --help' for usage\n", message.c_str());
  return kUsage;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& names) {
  auto near = closest_name(word, names);
  return near ? fmt::format(" (did you mean {}?)", *near) : std::string();
}

}  // namespace

std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (!best || best_distance > std::max<std::size_t>(2, word.size() / 3)) return std::nullopt;
  return best;
}

std::optional<int> check_command_line(CLI::App& app, int argc, const char* const* argv) {
  CLI::App* command = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--") break;
    if (word.starts_with("--")) {
      const std::string_view name = word.substr(0, word.find('='));
      const bool known = app.get_option_no_throw(std::string(name)) != nullptr ||
                         (command != nullptr && command->get_option_no_throw(std::string(name)) != nullptr);
      if (!known) {
        auto names = long_option_names(app);
        if (command != nullptr) {
          auto own = long_option_names(*command);
          names.insert(names.end(), own.begin(), own.end());
        }
        return mistake(fmt::format("unknown option '{}'{}{}", name,
                                   command != nullptr ? fmt::format(" for '{}'", command->get_name()) : "",
                                   suggestion(name, names)));
      }
      const CLI::App& owner = app.get_option_no_throw(std::string(name)) != nullptr ? app : *command;
      if (word.find('=') == std::string_view::npos && takes_value(owner, name)) ++i;
      continue;
    }
    if (word.starts_with("-") || command != nullptr) continue;  // short options; a command's own arguments
    if (word == "help") {
      if (i + 1 >= argc) {
        std::cout << app.help();
        return kSuccess;
      }
      CLI::App* about = find_command(app, argv[i + 1]);
      if (about == nullptr) {
        return mistake(fmt::format("unknown command '{}'{}", argv[i + 1], suggestion(argv[i + 1], command_names(app))));
      }
      std::cout << about->help();
      return kSuccess;
    }
    command = find_command(app, word);
    if (command == nullptr) {
      return mistake(fmt::format("unknown command '{}'{}", word, suggestion(word, command_names(app))));
    }
  }
  return std::nullopt;
}

}  // namespace firehose::cli
