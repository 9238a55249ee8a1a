#pragma once
// How `firehose metrics` writes numbers and times, shared by the chart and
// the plain-text table.
#include <chrono>
#include <string>

namespace firehose::cli::metrics {

// Whole numbers as they are ("1234567", grouped "1,234,567"); others with at
// most two decimals, trailing zeros dropped ("0.5", "12.34"), and rounded to
// a whole number from 100 on ("1,235").
std::string format_number(double value, bool grouped);

// format_number(grouped) and "%"; "<0.01%" for a use above zero that would print as 0.
std::string format_percent(double percent);

// Bytes in MiB (2^20): "1.18 MiB".
std::string format_mib(double bytes);

// A period boundary on the clock of `utc_offset`: "12:05", or "05-01 12:05" with the date.
std::string format_clock(std::chrono::system_clock::time_point time, std::chrono::seconds utc_offset, bool with_date);

// "UTC", "UTC+02:00", "UTC-05:30".
std::string format_utc_offset(std::chrono::seconds utc_offset);

}  // namespace firehose::cli::metrics
