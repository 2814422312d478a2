#include "integration/test_pki.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace carechat::testing {
namespace {

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) throw std::runtime_error("test_pki: cannot write " + p.string());
}

// Runs one openssl command in `dir`, its output kept out of the test log unless it fails.
void openssl(const std::filesystem::path& dir, const std::string& args) {
  const std::string log = (dir / "openssl.log").string();
  const std::string cmd = "cd '" + dir.string() + "' && openssl " + args + " >'" + log + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream in(log);
    const std::string why((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    throw std::runtime_error("test_pki: openssl " + args + " failed: " + why);
  }
}

}  // namespace

test_pki::test_pki() {
  const auto& d = dir_.path();
  // Our own config files, so the system's openssl.cnf defaults do not matter.
  write_file(d / "ca.cnf",
             "[req]\ndistinguished_name = dn\nx509_extensions = v3_ca\nprompt = no\n"
             "[dn]\nCN = carechat test CA\n"
             "[v3_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
             "subjectKeyIdentifier = hash\n");
  write_file(d / "server.cnf", "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = 127.0.0.1\n");
  write_file(d / "server.ext",
             "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\n"
             "subjectAltName = IP:127.0.0.1,DNS:localhost\nauthorityKeyIdentifier = keyid\n");
  openssl(d, "req -x509 -config ca.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
             "-out ca.pem -days 2");
  openssl(d, "req -new -config server.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key "
             "-out server.csr");
  openssl(d, "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext "
             "-out server.pem");

  // A renewal: a new key, another subject, the same names.
  write_file(d / "renewed.cnf", "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = carechat renewed\n");
  openssl(d, "req -new -config renewed.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout renewed.key "
             "-out renewed.csr");
  openssl(d, "x509 -req -in renewed.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext "
             "-out renewed.pem");

  // Out of date, for the first key: `openssl ca` signs with the dates given.
  write_file(d / "sign.cnf",
             "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = index.txt\nnew_certs_dir = .\nserial = ca-serial\n"
             "default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n");
  write_file(d / "index.txt", "");
  write_file(d / "ca-serial", "1000\n");
  openssl(d, "ca -batch -notext -config sign.cnf -cert ca.pem -keyfile ca.key -in server.csr -extfile server.ext "
             "-startdate 20200101000000Z -enddate 20200102000000Z -out expired.pem");
  openssl(d, "ca -batch -notext -config sign.cnf -cert ca.pem -keyfile ca.key -in server.csr -extfile server.ext "
             "-startdate 20990101000000Z -enddate 20990102000000Z -out future.pem");
}

}  // namespace carechat::testing
