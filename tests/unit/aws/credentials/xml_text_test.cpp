#include "aws/credentials/xml_text.hpp"

#include <gtest/gtest.h>

namespace firehose::aws {
namespace {

TEST(XmlText, FindsElementsByExactName) {
  const std::string xml =
      "<?xml version=\"1.0\"?><R xmlns=\"x\"><CodeBook>no</CodeBook><Code attr=\"1\">Throttling</Code>"
      "<Empty/><Message>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42; &#xE9; &unknown;</Message></R>";
  EXPECT_EQ(xml_element_text(xml, "Code"), "Throttling");
  EXPECT_EQ(xml_element_text(xml, "CodeBook"), "no");
  EXPECT_EQ(xml_element_text(xml, "Empty"), "");
  EXPECT_EQ(xml_element_text(xml, "Message"), "a <b> & \"c\" 'd' AB \xC3\xA9 &unknown;");
  EXPECT_FALSE(xml_element_text(xml, "Missing").has_value());
  EXPECT_FALSE(xml_element_text("<Open>never closed", "Open").has_value());
}

TEST(XmlText, ContentAllowsNestedLookups) {
  const std::string xml = "<A><Error><Code>Inner</Code></Error><Code>Outer</Code></A>";
  auto error = xml_element_content(xml, "Error");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(xml_element_text(*error, "Code"), "Inner");
}

}  // namespace
}  // namespace firehose::aws
