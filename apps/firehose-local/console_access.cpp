#include "console_access.hpp"

#include <fmt/format.h>

namespace firehose::local {

std::optional<std::string> browser_change_refusal(bool console_write, std::string_view method,
                                                  const BrowserHeaders& headers) {
  if (method == "GET" || method == "HEAD") return std::nullopt;
  if (!headers.origin && !headers.fetch_site) return std::nullopt;  // not a browser: an operator's tool

  if (!console_write) {
    return std::string(
        "the console is read-only: settings cannot be changed from a browser unless firehose-local is started "
        "with --console-write");
  }
  // The scheme is not compared: the port cannot serve both, so either one is this server.
  const bool same_origin = headers.origin && !headers.host.empty() &&
                           (*headers.origin == fmt::format("http://{}", headers.host) ||
                            *headers.origin == fmt::format("https://{}", headers.host));
  const bool fetch_site_agrees = !headers.fetch_site || *headers.fetch_site == "same-origin";
  if (!same_origin || !fetch_site_agrees) {
    return fmt::format(
        "a change from a page of another origin ({}) is refused; only this server's console may "
        "change settings",
        headers.origin ? *headers.origin : std::string_view("no Origin header"));
  }
  return std::nullopt;
}

}  // namespace firehose::local
