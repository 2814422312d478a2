// SigV4 against the examples AWS publishes for S3 ("Examples: Signature Calculations in AWS
// Signature Version 4", examplebucket, AKIAIOSFODNN7EXAMPLE, 2013-05-24, us-east-1): each expected
// signature is AWS's, so an encoding, ordering or key-derivation slip fails one of them.
#include "store/s3/sigv4.hpp"

#include <gtest/gtest.h>

namespace carechat::store::s3 {
namespace {

constexpr const char* empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* amz_date = "20130524T000000Z";

sigv4_key example_key() {
  return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"};
}

TEST(sigv4, get_object_with_a_range) {
  sigv4_request r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", empty_sha256},
               {"x-amz-date", amz_date}};
  r.payload_hash = empty_sha256;
  EXPECT_EQ(sigv4_canonical_request(r),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const auto s = sigv4_sign(r, example_key(), amz_date);
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// A key with a character that must be encoded ('$'), a body, and a header whose value is a date.
TEST(sigv4, put_object) {
  sigv4_request r;
  r.method = "PUT";
  r.path = "/test$file.text";
  const std::string body_hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", amz_date},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", body_hash}};
  r.payload_hash = body_hash;
  const auto s = sigv4_sign(r, example_key(), amz_date);
  EXPECT_EQ(s.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

// A sub-resource without a value ("?lifecycle" is "lifecycle=" in the canonical query).
TEST(sigv4, get_bucket_lifecycle) {
  sigv4_request r;
  r.path = "/";
  r.query = {{"lifecycle", ""}};
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", amz_date},
               {"x-amz-content-sha256", empty_sha256}};
  r.payload_hash = empty_sha256;
  EXPECT_EQ(sigv4_sign(r, example_key(), amz_date).signature,
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

// Query parameters given out of order are sorted.
TEST(sigv4, list_objects) {
  sigv4_request r;
  r.path = "/";
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", amz_date},
               {"x-amz-content-sha256", empty_sha256}};
  r.payload_hash = empty_sha256;
  EXPECT_EQ(sigv4_sign(r, example_key(), amz_date).signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(sigv4, presigned_get) {
  sigv4_request r;
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  EXPECT_EQ(sigv4_presign(r, example_key(), amz_date, 86400),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(sigv4, uri_encoding_and_header_values) {
  EXPECT_EQ(sigv4_uri_encode("a b/c~d_e.f-g+h=é", true), "a%20b/c~d_e.f-g%2Bh%3D%C3%A9");
  EXPECT_EQ(sigv4_uri_encode("a/b", false), "a%2Fb");
  sigv4_request r;
  r.headers = {{"Host", "h"}, {"X-Amz-Meta-A", "  one   two  "}, {"x-amz-meta-a", "three"}};
  EXPECT_EQ(sigv4_canonical_request(r), "GET\n/\n\nhost:h\nx-amz-meta-a:one two,three\n\nhost;x-amz-meta-a\nUNSIGNED-PAYLOAD");
  EXPECT_EQ(sigv4_amz_date(1369353600000), "20130524T000000Z");
}

}  // namespace
}  // namespace carechat::store::s3
