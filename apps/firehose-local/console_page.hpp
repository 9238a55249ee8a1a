#pragma once
// The web console's files, embedded in the binary at build time (console.html,
// console.js and console.css beside this file; cmake/EmbedFiles.cmake turns
// them into a header): no build step, no framework, nothing fetched from
// elsewhere. Served at GET / and /_local/ui with headers that keep the page
// from running anything but its own script (Content-Security-Policy) and from
// being framed by another site.
#include <optional>
#include <string_view>

#include "api_response.hpp"

namespace firehose::local {

// The policy of every console file: scripts, styles and requests from this
// origin only; no inline script or style, no plugins, no framing, no forms.
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The file for a GET of `path` ("/", "/_local/ui", "/_local/ui/console.js", ...),
// or nothing when the path is not the console's.
std::optional<ApiResponse> console_file(std::string_view path);

}  // namespace firehose::local
