// The expected texts are what awscli/text.py (format_text) writes for the same JSON.
#include "text_output.hpp"

#include <gtest/gtest.h>

namespace firehose::cli {
namespace {

std::string text_of(const char* json) { return to_aws_text(nlohmann::json::parse(json)); }

TEST(AwsText, AListOfScalarsIsOneLinePerScalar) {
  EXPECT_EQ(text_of(R"({"DeliveryStreamNames": ["-a", ".", ".."], "HasMoreDeliveryStreams": false})"),
            "False\n"
            "DELIVERYSTREAMNAMES\t-a\n"
            "DELIVERYSTREAMNAMES\t.\n"
            "DELIVERYSTREAMNAMES\t..\n");
}

TEST(AwsText, AnEmptyListPrintsNothing) {
  EXPECT_EQ(text_of(R"({"DeliveryStreamNames": [], "HasMoreDeliveryStreams": false})"), "False\n");
}

TEST(AwsText, ATopLevelListOfScalarsIsOneLine) { EXPECT_EQ(text_of(R"(["a", 1, true, null])"), "a\t1\tTrue\tNone\n"); }

TEST(AwsText, ObjectsInAListShareTheirColumns) {
  // The second object has no "b": an empty field keeps the columns in line.
  EXPECT_EQ(text_of(R"({"Items": [{"a": 1, "b": "x"}, {"a": 2, "c": {"d": 3}}]})"),
            "ITEMS\t1\tx\n"
            "ITEMS\t2\t\n"
            "C\t3\n");
}

TEST(AwsText, ScalarsOfAMixedListComeFirstThenTheNestedLists) {
  EXPECT_EQ(text_of(R"({"L": [["x", "y"], "a", "b"]})"),
            "L\ta\n"
            "L\tb\n"
            "L\tx\n"
            "L\ty\n");
}

TEST(AwsText, AnObjectsScalarsAreOneLineSortedByKey) {
  EXPECT_EQ(text_of(R"({"RecordId": "r", "Encrypted": false})"), "False\tr\n");
  EXPECT_EQ(text_of(R"({"D": {"Name": "n", "Arn": "a", "Tags": [{"Key": "k", "Value": "v"}]}})"),
            "D\ta\tn\n"
            "TAGS\tk\tv\n");
}

}  // namespace
}  // namespace firehose::cli
