// `--output table` against drawings made by the AWS CLI's own table formatter
// (awscli.formatter.TableFormatter, colour off) for the same responses: lists
// of objects with missing keys, nested sections, scalar lists, empty lists, and
// a section too wide for the terminal turned vertical.
#include <gtest/gtest.h>

#include "table_output.hpp"

namespace firehose::cli {
namespace {

TEST(TableOutput, ListOfObjectsWithMissingKeysAsTheAwsCliDraws) {
  const auto response = nlohmann::json::parse(R"({"FailedPutCount": 1, "Encrypted": false, "RequestResponses": [
      {"RecordId": "abc"}, {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."}]})");
  EXPECT_EQ(to_aws_table("PutRecordBatch", response),
            "---------------------------------------------------------------\n"
            "|                       PutRecordBatch                        |\n"
            "+------------------------+------------------------------------+\n"
            "|        Encrypted       |          FailedPutCount            |\n"
            "+------------------------+------------------------------------+\n"
            "|  False                 |  1                                 |\n"
            "+------------------------+------------------------------------+\n"
            "||                     RequestResponses                      ||\n"
            "|+------------------------------+----------------+-----------+|\n"
            "||           ErrorCode          | ErrorMessage   | RecordId  ||\n"
            "|+------------------------------+----------------+-----------+|\n"
            "||                              |                |  abc      ||\n"
            "||  ServiceUnavailableException |  Slow down.    |           ||\n"
            "|+------------------------------+----------------+-----------+|\n");
}

TEST(TableOutput, NestedSectionsIndentAndEmptyListsDrawNothing) {
  const auto response = nlohmann::json::parse(R"({"Outer": {"Name": "s", "Tags": [
      {"Key": "k", "Value": "v", "Nested": {"A": 1}}, {"Key": "k2", "Value": "v2", "Nested": {"A": 2}}]},
      "Empty": [], "Ids": ["x", "y"]})");
  EXPECT_EQ(to_aws_table("Nested", response),
            "----------------------\n"
            "|       Nested       |\n"
            "+--------------------+\n"
            "||        Ids       ||\n"
            "|+------------------+|\n"
            "||  x               ||\n"
            "||  y               ||\n"
            "|+------------------+|\n"
            "||       Outer      ||\n"
            "|+----------+-------+|\n"
            "||  Name    |  s    ||\n"
            "|+----------+-------+|\n"
            "|||      Tags      |||\n"
            "||+------+---------+||\n"
            "|||  Key |  Value  |||\n"
            "||+------+---------+||\n"
            "|||  k   |  v      |||\n"
            "||+------+---------+||\n"
            "||||    Nested    ||||\n"
            "|||+------+-------+|||\n"
            "||||  A   |  1    ||||\n"
            "|||+------+-------+|||\n"
            "|||      Tags      |||\n"
            "||+------+---------+||\n"
            "|||  Key |  Value  |||\n"
            "||+------+---------+||\n"
            "|||  k2  |  v2     |||\n"
            "||+------+---------+||\n"
            "||||    Nested    ||||\n"
            "|||+------+-------+|||\n"
            "||||  A   |  2    ||||\n"
            "|||+------+-------+|||\n");
}

TEST(TableOutput, TooWideForTheTerminalTurnsVertical) {
  const auto response = nlohmann::json::parse(R"({"AVeryLongKeyNameNumberOne": "value-one-is-long",
      "AVeryLongKeyNameNumberTwo": "value-two-is-long-too", "Third": 3})");
  EXPECT_EQ(to_aws_table("Wide", response, 40),
            "--------------------------------------------------------\n"
            "|                         Wide                         |\n"
            "+----------------------------+-------------------------+\n"
            "|  AVeryLongKeyNameNumberOne |  value-one-is-long      |\n"
            "|  AVeryLongKeyNameNumberTwo |  value-two-is-long-too  |\n"
            "|  Third                     |  3                      |\n"
            "+----------------------------+-------------------------+\n");
  // At 80 columns the same response stays one row under a header row.
  EXPECT_NE(to_aws_table("Wide", response, 80).find("| Third  |"), std::string::npos);
}

TEST(TableOutput, AnEmptyResponseDrawsNothing) {
  EXPECT_EQ(to_aws_table("DeleteDeliveryStream", nlohmann::json::object()), "");
}

}  // namespace
}  // namespace firehose::cli
