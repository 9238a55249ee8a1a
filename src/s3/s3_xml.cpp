#include "s3/s3_xml.hpp"

#include <charconv>

#include <fmt/format.h>

#include "aws/credentials/xml_text.hpp"
#include "core/timestamp.hpp"

namespace firehose::s3 {
namespace {

Error malformed(std::string_view what) {
  return make_error(ErrorKind::Transient, "MalformedResponse", fmt::format("ListObjectsV2 answer: {}", what));
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

std::string encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

Result<S3Object> parse_contents(std::string_view contents) {
  S3Object object;
  auto key = aws::xml_element_text(contents, "Key");
  if (!key) return malformed("a <Contents> without <Key>");
  object.key = std::move(*key);
  const auto size = aws::xml_element_text(contents, "Size");
  if (!size) return malformed(fmt::format("object '{}' has no <Size>", object.key));
  const auto [end, ec] = std::from_chars(size->data(), size->data() + size->size(), object.size);
  if (ec != std::errc() || end != size->data() + size->size()) {
    return malformed(fmt::format("object '{}' has the size '{}'", object.key, *size));
  }
  if (const auto modified = aws::xml_element_text(contents, "LastModified")) {
    auto time = aws::parse_iso8601(*modified);
    if (!time) return malformed(fmt::format("object '{}' has the LastModified '{}'", object.key, *modified));
    object.last_modified = *time;
  }
  object.etag = aws::xml_element_text(contents, "ETag").value_or("");
  return object;
}

}  // namespace

std::string encode_key(std::string_view key) { return encode(key, true); }
std::string encode_query_value(std::string_view value) { return encode(value, false); }

Result<S3ObjectPage> parse_list_objects_v2(std::string_view xml) {
  if (!aws::xml_element_content(xml, "ListBucketResult")) return malformed("no <ListBucketResult> element");
  S3ObjectPage page;
  constexpr std::string_view kClose = "</Contents>";
  std::string_view rest = xml;
  while (auto contents = aws::xml_element_content(rest, "Contents")) {
    if (contents->data() == nullptr) return malformed("an empty <Contents/>");
    auto object = parse_contents(*contents);
    if (!object) return object.error();
    page.objects.push_back(std::move(object).value());
    // Past this element's closing tag.
    rest.remove_prefix(static_cast<std::size_t>(contents->data() - rest.data()) + contents->size() + kClose.size());
  }
  const auto truncated = aws::xml_element_text(xml, "IsTruncated");
  if (!truncated || (*truncated != "true" && *truncated != "false")) {
    return malformed("no <IsTruncated>true|false</IsTruncated>");
  }
  page.truncated = *truncated == "true";
  page.next_continuation_token = aws::xml_element_text(xml, "NextContinuationToken").value_or("");
  if (page.truncated && page.next_continuation_token.empty()) {
    return malformed("IsTruncated is true but there is no <NextContinuationToken>");
  }
  return page;
}

}  // namespace firehose::s3
