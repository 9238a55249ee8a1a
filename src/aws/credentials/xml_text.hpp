#pragma once
// Just enough XML for STS's query-protocol answers: the text of a named
// element. STS documents are small, flat where it matters, and never use
// CDATA or repeated names for the fields we read.
#include <optional>
#include <string>
#include <string_view>

namespace firehose::aws {

// The text of the first <name> element (attributes allowed) with the five
// predefined entities and numeric character references decoded; nullopt when
// there is no such element or it is never closed.
std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name);

// The raw content of the first <name> element, for looking inside it.
std::optional<std::string_view> xml_element_content(std::string_view xml, std::string_view name);

}  // namespace firehose::aws
