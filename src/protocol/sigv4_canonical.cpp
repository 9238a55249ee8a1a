#include "protocol/sigv4_canonical.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "core/crypto.hpp"

namespace firehose::aws::sigv4::detail {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

char lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

void uri_encode_append(std::string_view s, bool keep_slash, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      const char escaped[3] = {'%', kHex[c >> 4], kHex[c & 0x0F]};
      out.append(escaped, 3);
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Malformed escapes stay as they are: the client encoded the same bytes.
std::string query_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

unsigned to_number(std::string_view digits) {
  unsigned n = 0;
  for (char c : digits) n = n * 10 + static_cast<unsigned>(c - '0');
  return n;
}

std::optional<std::chrono::system_clock::time_point> make_time(int y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                                                               unsigned s) {
  using namespace std::chrono;
  const year_month_day date{year{y}, month{mo}, day{d}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  // A time point counts nanoseconds in 64 bits (years 1678 to 2261): a client's
  // X-Amz-Date of 9999 overflowed it, undefined behaviour found by fuzzing.
  const auto whole = sys_days{date} + hours{h} + minutes{mi} + seconds{s};
  constexpr auto kLimit = duration_cast<seconds>(system_clock::duration::max()) - seconds{1};
  if (abs(whole.time_since_epoch()) >= kLimit) return std::nullopt;
  return time_point_cast<system_clock::duration>(whole);
}

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_char(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower_char(a[i]) != lower_char(b[i])) return false;
  }
  return true;
}

std::string canonical_uri(std::string_view raw_path) {
  // botocore's remove_dot_segments: '.' and empty segments vanish, '..' drops
  // the previous segment, the leading and (non-root) trailing '/' are kept.
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= raw_path.size()) {
    std::size_t end = raw_path.find('/', start);
    if (end == std::string_view::npos) end = raw_path.size();
    const std::string_view segment = raw_path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  out.reserve(raw_path.size() + 1);
  if (raw_path.empty() || raw_path.front() == '/') out.push_back('/');
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    uri_encode_append(segments[i], false, out);
  }
  if (!segments.empty() && raw_path.back() == '/') out.push_back('/');
  return out;
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start <= raw_query.size()) {
    std::size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    const std::string_view pair = raw_query.substr(start, end - start);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      std::string key, value;
      uri_encode_append(query_decode(pair.substr(0, eq)), false, key);
      if (eq != std::string_view::npos) uri_encode_append(query_decode(pair.substr(eq + 1)), false, value);
      pairs.emplace_back(std::move(key), std::move(value));
    }
    start = end + 1;
  }
  // Pairs, not "k=v" strings: "Param" must sort before "Param-3" although '-' < '='.
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += key;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string canonical_header_value(std::string_view value) {
  value = trim(value);
  std::string out;
  out.reserve(value.size());
  bool in_space = false;
  for (char c : value) {
    if (is_space(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

std::string canonical_headers(const std::vector<HttpHeader>& headers, const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    out += name;
    out.push_back(':');
    bool first = true;
    for (const HttpHeader& header : headers) {
      if (!iequals(trim(header.name), name)) continue;
      if (!first) out.push_back(',');
      out += canonical_header_value(header.value);
      first = false;
    }
    out.push_back('\n');
  }
  return out;
}

std::string format_amz_date(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day_start = floor<days>(secs);
  const year_month_day date{day_start};
  const hh_mm_ss clock{secs - day_start};
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count());
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !all_digits(text.substr(0, 8)) ||
      !all_digits(text.substr(9, 6))) {
    return std::nullopt;
  }
  return make_time(static_cast<int>(to_number(text.substr(0, 4))), to_number(text.substr(4, 2)),
                   to_number(text.substr(6, 2)), to_number(text.substr(9, 2)), to_number(text.substr(11, 2)),
                   to_number(text.substr(13, 2)));
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "Sun, 30 Aug 2015 12:36:00 GMT": fixed width, so positions say it all.
  text = trim(text);
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  const std::string_view day = text.substr(5, 2), year = text.substr(12, 4);
  const std::string_view hour = text.substr(17, 2), minute = text.substr(20, 2), second = text.substr(23, 2);
  if (!all_digits(day) || !all_digits(year) || !all_digits(hour) || !all_digits(minute) || !all_digits(second)) {
    return std::nullopt;
  }
  const auto month = std::find(std::begin(kMonths), std::end(kMonths), text.substr(8, 3));
  if (month == std::end(kMonths)) return std::nullopt;
  return make_time(static_cast<int>(to_number(year)), static_cast<unsigned>(month - std::begin(kMonths)) + 1,
                   to_number(day), to_number(hour), to_number(minute), to_number(second));
}

Computed compute(const CanonicalInput& in) {
  Computed out;
  for (const std::string& name : *in.signed_names) {
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers += name;
  }

  std::string& creq = out.canonical_request;
  for (char c : in.method) creq.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  creq.push_back('\n');
  if (in.normalize_path) {
    creq += canonical_uri(in.path);
  } else {
    creq += in.path.empty() ? std::string_view("/") : in.path;
  }
  creq.push_back('\n');
  creq += canonical_query(in.query);
  creq.push_back('\n');
  creq += canonical_headers(*in.headers, *in.signed_names);
  creq.push_back('\n');
  creq += out.signed_headers;
  creq.push_back('\n');
  creq += in.payload_hash;

  const std::string_view date = in.amz_date.substr(0, 8);
  out.scope = fmt::format("{}/{}/{}/aws4_request", date, in.region, in.service);
  out.string_to_sign = fmt::format("{}\n{}\n{}\n{}", kAlgorithm, in.amz_date, out.scope, crypto::sha256_hex(creq));

  std::string secret_key;
  secret_key.reserve(4 + in.secret_access_key.size());
  secret_key += "AWS4";
  secret_key += in.secret_access_key;
  const auto date_key = crypto::hmac_sha256(secret_key, date);
  const auto region_key = crypto::hmac_sha256(date_key, in.region);
  const auto service_key = crypto::hmac_sha256(region_key, in.service);
  const auto signing_key = crypto::hmac_sha256(service_key, "aws4_request");
  out.signature = crypto::hex_encode(crypto::hmac_sha256(signing_key, out.string_to_sign));
  // The derived secret should not outlive its use in freed heap memory.
  OPENSSL_cleanse(secret_key.data(), secret_key.size());
  return out;
}

}  // namespace firehose::aws::sigv4::detail
