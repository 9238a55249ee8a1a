#include "batch_scan.hpp"

#include <cstring>

namespace firehose::local {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // JSON's four whitespace characters, no others (simdjson allows no others).
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool take(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // The text of a string up to the next '"', unchecked (see the header).
  bool raw_string(std::string_view& text) {
    if (!take('"')) return false;
    const void* close = std::memchr(p_, '"', static_cast<std::size_t>(end_ - p_));
    if (close == nullptr) return false;
    const char* stop = static_cast<const char*>(close);
    text = std::string_view(p_, static_cast<std::size_t>(stop - p_));
    p_ = stop + 1;
    return true;
  }

  // A string of printable ASCII without escapes: its text is its value.
  bool plain_string(std::string_view& text) {
    if (!raw_string(text)) return false;
    for (const char c : text) {
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
    }
    return true;
  }

  // A member name spelled exactly `key` (no escapes), then the colon.
  bool key(std::string_view& name) { return plain_string(name) && take(':'); }

  bool at_end() {
    skip_space();
    return p_ == end_;
  }

 private:
  const char* p_;
  const char* end_;
};

// [{"Data":"..."}, ...], at least one record.
bool scan_records(Scanner& in, std::vector<std::string_view>& records) {
  if (!in.take('[')) return false;
  do {
    std::string_view name;
    std::string_view data;
    if (!in.take('{') || !in.key(name) || name != "Data" || !in.raw_string(data) || !in.take('}')) return false;
    records.push_back(data);
  } while (in.take(','));
  return in.take(']');
}

}  // namespace

bool scan_canonical_batch(std::string_view body, ScannedBatch& out) {
  out.records.clear();
  Scanner in(body);
  if (!in.take('{')) return false;
  bool have_name = false;
  bool have_records = false;
  do {
    std::string_view name;
    if (!in.key(name)) return false;
    if (name == "DeliveryStreamName" && !have_name) {
      if (!in.plain_string(out.stream_name)) return false;
      have_name = true;
    } else if (name == "Records" && !have_records) {
      if (!scan_records(in, out.records)) return false;
      have_records = true;
    } else {
      return false;  // another member, or one twice: simdjson's reading decides
    }
  } while (in.take(','));
  return have_name && have_records && in.take('}') && in.at_end();
}

}  // namespace firehose::local
