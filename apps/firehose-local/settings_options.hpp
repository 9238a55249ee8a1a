#pragma once
// The table behind settings.hpp: each option's name and help (OptionInfo)
// with the setter that validates the option's text and applies it. One
// table, so that the command line, the --config file and the control API
// accept the same names and values.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "settings.hpp"

namespace firehose::local {

using OptionSetter = std::function<Status(Settings&, std::string_view)>;

struct Option {
  OptionInfo info;
  OptionSetter set;
};

// Every option, in --help's order.
const std::vector<Option>& options();
// The option of that name (without "--"), or null.
const Option* find_option(std::string_view name);
// A setting refused: "--NAME: MESSAGE".
Error invalid_setting(std::string_view name, std::string message);

}  // namespace firehose::local
