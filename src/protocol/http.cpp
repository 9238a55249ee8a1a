#include "protocol/http.hpp"

#include <algorithm>

namespace firehose::aws {
namespace {

// HTTP field names are ASCII and case-insensitive (RFC 9110 5.1); a locale
// must not decide what matches.
bool same_name(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

const std::string* find_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (same_name(h.name, name)) return &h.value;
  }
  return nullptr;
}

}  // namespace

const std::string* HttpRequest::header(std::string_view name) const { return find_header(headers, name); }

void HttpRequest::set_header(std::string name, std::string value) {
  // The first occurrence keeps its position (a signed request's header order
  // then stays stable); later duplicates go, so the name appears once.
  auto first =
      std::find_if(headers.begin(), headers.end(), [&](const HttpHeader& h) { return same_name(h.name, name); });
  if (first == headers.end()) {
    headers.push_back({std::move(name), std::move(value)});
    return;
  }
  auto rest =
      std::remove_if(std::next(first), headers.end(), [&](const HttpHeader& h) { return same_name(h.name, name); });
  headers.erase(rest, headers.end());
  first->name = std::move(name);
  first->value = std::move(value);
}

const std::string* HttpResponse::header(std::string_view name) const { return find_header(headers, name); }

}  // namespace firehose::aws
