#pragma once
// Logs go to stderr: readable lines for people (text), or one JSON object per
// line for machines (json). The CLI logs through spdlog's default logger and
// takes the library's messages through its public hook (firehose/logging.hpp),
// so this is the one place that decides where they go.
//
// A JSON line is {"ts": RFC 3339 UTC with milliseconds, "level", "event",
// the event's fields..., "message"}; the events and their fields are listed
// in docs/logging.md (a test checks every line against it). Library messages,
// which carry no event, are event "log".
#include <string>
#include <string_view>

#include <spdlog/common.h>
#include <nlohmann/json.hpp>

namespace firehose::cli {

// `format` is "text" or "json"; `level` one of trace, debug, info, warning, error, off.
void setup_logging(const std::string& level, const std::string& format);
// Whether logs are JSON lines now.
bool logging_is_json();

// The event vocabulary (docs/logging.md).
namespace event {
inline constexpr std::string_view kConfig = "config";                   // settings in force, once
inline constexpr std::string_view kPhase = "phase";                     // a step of the workflow begins
inline constexpr std::string_view kRecordPut = "record_put";            // PutRecord acknowledged a record
inline constexpr std::string_view kBatchPut = "batch_put";              // one PutRecordBatch answer
inline constexpr std::string_view kRetry = "retry";                     // a call is sent again after a delay
inline constexpr std::string_view kThrottled = "throttled";             // the service said "slow down"
inline constexpr std::string_view kDeadLettered = "dead_lettered";      // a record given up on
inline constexpr std::string_view kMetrics = "metrics";                 // CloudWatch numbers read back (or not in yet)
inline constexpr std::string_view kProgress = "progress";               // periodic counts during a run
inline constexpr std::string_view kSummary = "summary";                 // the run's totals, once at the end
inline constexpr std::string_view kVerifyProgress = "verify_progress";  // firehose verify: what it has read so far
inline constexpr std::string_view kVerify = "verify";                   // firehose verify's report (workflow --verify)
inline constexpr std::string_view kError = "error";                     // what stopped the run
inline constexpr std::string_view kLog = "log";                         // a message without an event (the library's)
}  // namespace event

// Logs one event: in JSON its fields (an object) go into the line; in text
// only `text` is shown. Fields must never carry secrets (keys, tokens, signatures).
void log_event(spdlog::level::level_enum level, std::string_view event, const nlohmann::ordered_json& fields,
               std::string_view text);

}  // namespace firehose::cli
