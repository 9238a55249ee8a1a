#pragma once
// Who may change settings from a web browser. The control API under /_local/
// is unsigned and meant for operators' tools (curl, tests, scripts), which send
// no Origin header; browsers send one with every request that is not a GET or
// HEAD, same-origin requests included (the Fetch standard), and Chromium and
// Firefox add Sec-Fetch-Site too. So a change that carries either header comes
// from a page in a browser, and is allowed only when
//   - firehose-local was started with --console-write, and
//   - the page is this server's own console: Origin is http(s)://<Host header>
//     and Sec-Fetch-Site, when sent, is same-origin.
// Anything else is refused with 403, which also keeps any other web site the
// user has open from changing settings behind their back (CSRF). Reads (GET)
// are not restricted: a page of another origin cannot read the answers (no
// CORS headers are sent). The Firehose and CloudWatch APIs are not concerned:
// they keep their signature check whatever the console does.
#include <optional>
#include <string>
#include <string_view>

namespace firehose::local {

struct BrowserHeaders {
  std::optional<std::string_view> origin;      // Origin
  std::optional<std::string_view> fetch_site;  // Sec-Fetch-Site
  std::string_view host;                       // Host
};

// The one-line reason a control API request is refused, or nothing when it
// may go on (every GET and HEAD, and changes from tools that are not browsers).
std::optional<std::string> browser_change_refusal(bool console_write, std::string_view method,
                                                  const BrowserHeaders& headers);

}  // namespace firehose::local
