// The shared config and credentials files (INI with nested blocks): any text
// parses to sections or to one Error, and the profile lookups on the result
// stay safe.
#include <cstdint>
#include <string>

#include "aws/config_file.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firehose::aws;
  const std::string_view text = firehose::fuzz::as_text(data, size);
  auto parsed = ConfigFile::parse(text, "fuzz");
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) __builtin_trap();
    return 0;
  }
  auto credentials = ConfigFile::parse(text, "fuzz-credentials");
  if (!credentials.ok()) __builtin_trap();  // the same text parses the same way
  const SharedConfig shared = SharedConfig::from(std::move(*parsed), std::move(*credentials));
  for (const auto& [header, section] : shared.config_file().sections()) {
    (void)shared.profile(header);
    for (const auto& [key, value] : section.values) (void)section.get_nested(key, value);
  }
  (void)shared.profile("default");
  (void)shared.services("firehose");
  return 0;
}
