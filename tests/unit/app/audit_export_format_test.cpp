// `carechat audit export`'s row formats: RFC 4180 quoting, RFC 3339 times, every column in order,
// unlinked rows' chain columns empty (CSV) or null (NDJSON).
#include "app/audit_export_format.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace carechat::app {
namespace {

domain::audit_row sample_row() {
  domain::audit_row r;
  r.id = 42;
  r.entry.at = 1700000000123;
  r.entry.token_id = "tk_abc";
  r.entry.actor_role = domain::role::user;
  r.entry.actor_id = "u-1";
  r.entry.action = "read";
  r.entry.chat = domain::chat_key{"gh", "sb", "p-1"};
  r.entry.outcome = "ok";
  domain::audit_link l;
  l.seq = 7;
  l.prev_hash.fill(0xab);
  l.row_hash.fill(0x01);
  r.link = l;
  return r;
}

TEST(audit_export_format, csv_field_quotes_only_what_rfc4180_requires) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
}

TEST(audit_export_format, csv_lines_hold_every_column_in_order) {
  EXPECT_EQ(csv_header(),
            "id,at,token_id,role,actor_id,action,tenant,instance,patient,outcome,request_id,chain_seq,prev_hash,row_hash\r\n");
  auto r = sample_row();
  r.entry.actor_id = "u,1";
  std::string prev, hash;
  for (int i = 0; i < 32; ++i) {
    prev += "ab";
    hash += "01";
  }
  EXPECT_EQ(csv_line(r), "42,2023-11-14T22:13:20.123Z,tk_abc,user,\"u,1\",read,gh,sb,p-1,ok,,7," + prev + "," + hash + "\r\n");
  r.entry.request_id = "req-1";
  EXPECT_EQ(csv_line(r), "42,2023-11-14T22:13:20.123Z,tk_abc,user,\"u,1\",read,gh,sb,p-1,ok,req-1,7," + prev + "," + hash + "\r\n");
  r.entry.request_id.reset();
  r.link.reset();
  EXPECT_EQ(csv_line(r), "42,2023-11-14T22:13:20.123Z,tk_abc,user,\"u,1\",read,gh,sb,p-1,ok,,,,\r\n");
}

TEST(audit_export_format, ndjson_lines_parse_back) {
  const auto line = ndjson_line(sample_row());
  ASSERT_EQ(line.back(), '\n');
  ASSERT_EQ(line.find('\n'), line.size() - 1) << "one line per row";
  const auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("id").as_int64(), 42);
  EXPECT_EQ(v.at("at").as_string(), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(v.at("role").as_string(), "user");
  EXPECT_EQ(v.at("chain_seq").as_int64(), 7);
  EXPECT_EQ(v.at("row_hash").as_string().size(), 64u);
  std::vector<std::string> keys;
  for (const auto& kv : v) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, std::vector<std::string>(std::begin(audit_export_columns), std::end(audit_export_columns)));
  auto unlinked = sample_row();
  unlinked.link.reset();
  const auto u = boost::json::parse(ndjson_line(unlinked)).as_object();
  EXPECT_TRUE(u.at("chain_seq").is_null());
  EXPECT_TRUE(u.at("row_hash").is_null());
  EXPECT_TRUE(u.at("request_id").is_null());
  auto with_id = sample_row();
  with_id.entry.request_id = "req-1";
  EXPECT_EQ(boost::json::parse(ndjson_line(with_id)).as_object().at("request_id").as_string(), "req-1");
}

TEST(audit_export_format, formats_by_name) {
  EXPECT_EQ(audit_export_format_from("csv"), audit_export_format::csv);
  EXPECT_EQ(audit_export_format_from("ndjson"), audit_export_format::ndjson);
  EXPECT_FALSE(audit_export_format_from("CSV"));
  EXPECT_FALSE(audit_export_format_from("json"));
}

}  // namespace
}  // namespace carechat::app
