#pragma once
// The one live status line at the bottom of a terminal's stderr, and every
// other write to stderr going above it: a log line clears the status line,
// is written, and the status line is drawn again, so the two never mix.
// Process-wide, like stderr itself.
#include <string>
#include <string_view>

namespace firehose::cli::status_line {

// Replaces the status line with `line` (no newline; cut to the terminal's width by the caller).
void show(std::string_view line);
// Erases the status line; nothing is redrawn until the next show().
void clear();
// Writes `text` (whole lines) to stderr above the status line.
void write(std::string_view text);

// The escape sequences (tests): carriage return + erase line.
inline constexpr std::string_view kEraseLine = "\r\x1b[2K";

}  // namespace firehose::cli::status_line
