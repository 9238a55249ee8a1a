#include "server_tls.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace firehose::local {
namespace {

// A certificate or key that does not load is one line naming both files and why.
TEST(TlsContext, FilesThatDoNotLoadAreOneLineNamingThem) {
  const auto folder = std::filesystem::temp_directory_path() / "firehose-tls-context-test";
  std::filesystem::create_directories(folder);
  const auto garbage = folder / "garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";
  const std::filesystem::path missing = folder / "missing.pem";
  for (const auto& [cert, key] : {std::pair{missing, missing}, std::pair{garbage, garbage}}) {
    auto loaded = TlsContext::load(cert, key);
    ASSERT_FALSE(loaded.ok()) << cert;
    EXPECT_EQ(loaded.error().code, "InvalidSetting");
    const std::string& message = loaded.error().message;
    EXPECT_NE(message.find("--tls-cert " + cert.string()), std::string::npos) << message;
    EXPECT_NE(message.find("--tls-key " + key.string()), std::string::npos) << message;
    EXPECT_NE(message.find("cannot load them: "), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace firehose::local
