#include "aws/credentials/xml_text.hpp"

#include <charconv>

namespace firehose::aws {
namespace {

void append_utf8(std::string& out, unsigned long code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x110000) {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Decodes one entity starting at text[0] == '&'; returns the characters consumed (0 if not an entity).
std::size_t decode_entity(std::string_view text, std::string& out) {
  const auto end = text.find(';');
  if (end == std::string_view::npos || end > 12) return 0;
  const std::string_view name = text.substr(1, end - 1);
  if (name == "amp")
    out += '&';
  else if (name == "lt")
    out += '<';
  else if (name == "gt")
    out += '>';
  else if (name == "quot")
    out += '"';
  else if (name == "apos")
    out += '\'';
  else if (name.size() > 1 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string_view digits = name.substr(hex ? 2 : 1);
    unsigned long code_point = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code_point, hex ? 16 : 10);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) return 0;
    append_utf8(out, code_point);
  } else {
    return 0;
  }
  return end + 1;
}

}  // namespace

std::optional<std::string_view> xml_element_content(std::string_view xml, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string_view::npos) {
    const std::size_t name_at = pos + 1;
    if (xml.compare(name_at, name.size(), name) != 0) {
      ++pos;
      continue;
    }
    const std::size_t after = name_at + name.size();
    if (after >= xml.size()) return std::nullopt;
    const char next = xml[after];
    if (next != '>' && next != ' ' && next != '\t' && next != '\n' && next != '\r' && next != '/') {
      ++pos;  // a longer name sharing the prefix
      continue;
    }
    const std::size_t open_end = xml.find('>', after);
    if (open_end == std::string_view::npos) return std::nullopt;
    if (xml[open_end - 1] == '/') return std::string_view{};  // <name/>
    const std::string close = "</" + std::string(name) + ">";
    const std::size_t close_at = xml.find(close, open_end + 1);
    if (close_at == std::string_view::npos) return std::nullopt;
    return xml.substr(open_end + 1, close_at - open_end - 1);
  }
  return std::nullopt;
}

std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name) {
  auto content = xml_element_content(xml, name);
  if (!content) return std::nullopt;
  std::string out;
  out.reserve(content->size());
  for (std::size_t i = 0; i < content->size(); ++i) {
    if ((*content)[i] == '&') {
      if (const std::size_t used = decode_entity(content->substr(i), out); used > 0) {
        i += used - 1;
        continue;
      }
    }
    out += (*content)[i];
  }
  return out;
}

}  // namespace firehose::aws
