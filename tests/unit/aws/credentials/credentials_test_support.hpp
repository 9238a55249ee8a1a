#pragma once
// Helpers shared by the credentials tests: a scratch directory and config
// files built from text.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "aws/config_file.hpp"
#include "aws/credentials/profile_context.hpp"
#include "support/temp_dir.hpp"

namespace firehose::aws::testing {

using firehose::testing::TempDir;

inline ConfigFile parse_or_fail(const std::string& text) {
  auto file = ConfigFile::parse(text);
  EXPECT_TRUE(file.ok()) << file.error().to_string();
  return file.ok() ? file.value() : ConfigFile{};
}

// A ProfileContext over in-memory files.
inline ProfileContext profiles(const std::string& config, const std::string& credentials,
                               const std::string& profile = "default") {
  return ProfileContext::from(SharedConfig::from(parse_or_fail(config), parse_or_fail(credentials)), profile);
}

}  // namespace firehose::aws::testing
