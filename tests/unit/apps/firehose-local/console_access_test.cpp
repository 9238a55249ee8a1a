// browser_change_refusal: tools change settings as before; browsers only with
// --console-write and only from this server's own origin.
#include "console_access.hpp"

#include <gtest/gtest.h>

namespace firehose::local {
namespace {

constexpr std::string_view kHost = "127.0.0.1:4573";

BrowserHeaders from(std::optional<std::string_view> origin, std::optional<std::string_view> fetch_site = {}) {
  return BrowserHeaders{origin, fetch_site, kHost};
}

TEST(ConsoleAccess, ToolsWithoutOriginChangeSettingsWhateverTheFlag) {
  for (bool console_write : {false, true}) {
    EXPECT_FALSE(browser_change_refusal(console_write, "POST", from(std::nullopt)));
    EXPECT_FALSE(browser_change_refusal(console_write, "DELETE", from(std::nullopt)));
  }
}

TEST(ConsoleAccess, ReadsAreNeverRefused) {
  EXPECT_FALSE(browser_change_refusal(false, "GET", from("http://evil.example", "cross-site")));
  EXPECT_FALSE(browser_change_refusal(false, "HEAD", from("http://evil.example")));
}

TEST(ConsoleAccess, ReadOnlyConsoleRefusesEveryBrowserChangeNamingTheFlag) {
  const auto same = browser_change_refusal(false, "POST", from("http://127.0.0.1:4573", "same-origin"));
  ASSERT_TRUE(same);
  EXPECT_NE(same->find("--console-write"), std::string::npos) << *same;
  // Sec-Fetch-Site alone marks a browser too (an Origin a proxy stripped).
  EXPECT_TRUE(browser_change_refusal(false, "POST", from(std::nullopt, "same-origin")));
}

TEST(ConsoleAccess, WritableConsoleAcceptsItsOwnOriginOnly) {
  EXPECT_FALSE(browser_change_refusal(true, "POST", from("http://127.0.0.1:4573")));
  EXPECT_FALSE(browser_change_refusal(true, "POST", from("http://127.0.0.1:4573", "same-origin")));
  EXPECT_FALSE(browser_change_refusal(true, "POST", from("https://127.0.0.1:4573")));

  const auto other = browser_change_refusal(true, "POST", from("http://evil.example"));
  ASSERT_TRUE(other);
  EXPECT_NE(other->find("http://evil.example"), std::string::npos) << *other;
  EXPECT_TRUE(browser_change_refusal(true, "POST", from("http://127.0.0.1:4574")));  // another port
  EXPECT_TRUE(browser_change_refusal(true, "POST", from("http://localhost:4573")));  // another name
  EXPECT_TRUE(browser_change_refusal(true, "POST", from("null")));                   // sandboxed frame, file://
  EXPECT_TRUE(browser_change_refusal(true, "POST", from("http://127.0.0.1:4573", "cross-site")));
  EXPECT_TRUE(browser_change_refusal(true, "POST", from(std::nullopt, "same-site")));
  EXPECT_TRUE(browser_change_refusal(true, "POST", BrowserHeaders{"http://", std::nullopt, ""}));  // no Host
}

}  // namespace
}  // namespace firehose::local
