#include "console_page.hpp"

// Generated in the build directory (cmake/EmbedFiles.cmake) from console.html,
// console.js and console.css beside this file: not a header of the tree, hence <>.
#include <console_assets.hpp>

namespace firehose::local {
namespace {

constexpr std::string_view kUiPrefix = "/_local/ui";

struct Served {
  std::string_view file;
  std::string_view content_type;
};

std::optional<Served> served_file(std::string_view path) {
  if (path == "/" || path == kUiPrefix || path == "/_local/ui/")
    return Served{"console.html", "text/html; charset=utf-8"};
  if (path == "/_local/ui/console.js") return Served{"console.js", "text/javascript; charset=utf-8"};
  if (path == "/_local/ui/console.css") return Served{"console.css", "text/css; charset=utf-8"};
  return std::nullopt;
}

}  // namespace

std::optional<ApiResponse> console_file(std::string_view path) {
  const std::optional<Served> served = served_file(path);
  if (!served) return std::nullopt;
  for (const EmbeddedFile& file : kConsoleFiles) {
    if (file.name != served->file) continue;
    ApiResponse response;
    response.content_type = std::string(served->content_type);
    response.body = std::string(file.data);
    response.headers = {
        {"Content-Security-Policy", std::string(kConsoleContentSecurityPolicy)},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
        // The files change with the binary: a browser must not keep an old page against a new server.
        {"Cache-Control", "no-store"},
    };
    return response;
  }
  return std::nullopt;
}

}  // namespace firehose::local
