#include "net/handlers/fhir_support.hpp"

#include "api/fhir_resources.hpp"

namespace carechat::net {

using core::errc;

reply outcome_reply(const core::error& e) {
  const reply plain = error_reply(e);  // logs internal/unavailable errors and says nothing of them
  core::error said = e;
  if (e.code == errc::internal) said.message = "internal error; the details are in the server log";
  if (e.code == errc::unavailable) said.message = "the service is temporarily unavailable; retry later";
  reply r{plain.status, api::fhir::operation_outcome(said)};
  r.content_type = api::fhir::content_type;
  return r;
}

reply resource_reply(std::string body) {
  reply r{200, std::move(body)};
  r.content_type = api::fhir::content_type;
  return r;
}

std::string service_origin(const request& req, const services& svc) {
  std::string scheme = svc.serves_tls ? "https" : "http";
  if (auto it = req.find("X-Forwarded-Proto"); it != req.end() && beast::iequals(it->value(), "https"))
    scheme = "https";
  std::string host;
  if (auto it = req.find(http::field::host); it != req.end()) host = std::string(it->value());
  return scheme + "://" + host;
}

std::string service_base(const request& req, const services& svc) { return service_origin(req, svc) + "/fhir/R4"; }

}  // namespace carechat::net
