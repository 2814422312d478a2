#include "api/webhook_json.hpp"

#include <boost/json.hpp>

#include "api/json_body.hpp"
#include "api/json_codec.hpp"
#include "core/time_format.hpp"

namespace carechat::api {

namespace json = boost::json;

std::string webhook_body(const domain::webhook_job& job, std::string_view public_url) {
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  json::object o;
  o["patientId"] = job.patient;
  o["patientUrl"] = base + "/" + job.tenant + "/" + job.instance + "/patients/" + job.patient;
  o["tenantName"] = job.tenant;
  o["instanceName"] = job.instance;
  if (job.event_type == domain::webhook_outbound) {
    o["message"] = job.message_text;  // exactly the reference body (with attachments, one field more)
  } else if (job.event_type == domain::webhook_inbound) {
    o["message"] = job.message_text;
    o["type"] = job.event_type;
    o["externalId"] = job.message_external_id;
  }
  if (job.event_type == domain::webhook_outbound || job.event_type == domain::webhook_inbound) {
    if (!job.attachments.empty()) {
      // The same objects as a message's "attachments" (api/json_codec); the bytes are fetched
      // from carechat with a token, never sent along.
      json::array list;
      for (const auto& a : job.attachments) list.push_back(json::parse(serialize_attachment(a)));
      o["attachments"] = std::move(list);
    }
  } else {
    o["type"] = job.event_type;
    o["count"] = job.count;
    if (job.event_type == domain::webhook_read) {
      o["direction"] = job.direction;
      o["upTo"] = job.up_to_external_id;
    }
    o["at"] = core::format_iso8601_ms(job.at);
  }
  return json::serialize(o);
}

std::string serialize_webhook_endpoint(const domain::webhook_endpoint& e, const domain::webhook_outbox_state& counts,
                                       std::string_view shown_secret) {
  json::object o;
  o["tenantName"] = e.tenant;
  o["instanceName"] = e.instance;
  o["url"] = e.url;
  o["apiKey"] = domain::mask_secret(e.api_key);
  o["apiSecret"] = domain::mask_secret(e.api_secret);
  o["signingSecret"] = domain::mask_secret(e.signing_secret);
  o["previousSigningSecret"] =
      e.previous_signing_secret ? json::value(domain::mask_secret(*e.previous_signing_secret)) : json::value(nullptr);
  if (!shown_secret.empty()) o["newSigningSecret"] = shown_secret;
  o["enabled"] = e.enabled;
  o["disabledReason"] = e.enabled ? json::value(nullptr) : json::value(e.disabled_reason);
  json::array types;
  for (const auto& t : e.event_types) types.emplace_back(t);
  o["events"] = std::move(types);
  o["createdAt"] = core::format_iso8601_ms(e.created_at);
  o["updatedAt"] = core::format_iso8601_ms(e.updated_at);
  o["outbox"] = json::object{{"pending", counts.pending}, {"delivered", counts.delivered}, {"failed", counts.failed}};
  return json::serialize(o);
}

std::string serialize_webhook_attempts(const std::vector<domain::webhook_attempt>& attempts) {
  json::array arr;
  for (const auto& a : attempts) {
    arr.push_back(json::object{{"deliveryId", "dl_" + std::to_string(a.id)},
                               {"eventId", a.event_id},
                               {"type", a.event_type},
                               {"at", core::format_iso8601_ms(a.at)},
                               {"status", a.status},
                               {"latencyMs", a.latency_ms},
                               {"error", a.error},
                               {"outcome", a.outcome}});
  }
  return json::serialize(json::object{{"deliveries", std::move(arr)}});
}

core::result<domain::webhook_config_input> parse_webhook_config(std::string_view body,
                                                                std::string_view content_type) {
  using core::errc;
  json::monotonic_resource arena;
  json::value doc;
  auto parsed = parse_json_object(body, content_type, arena, doc);
  if (!parsed) return std::move(parsed).error();
  const auto& o = **parsed;
  for (const auto& kv : o) {
    const auto k = kv.key();
    if (k != "url" && k != "apiKey" && k != "apiSecret" && k != "signingSecret" && k != "rotateSigningSecret" &&
        k != "events")
      return core::make_error(errc::bad_request, "unknown field '" + std::string(k) + "'");
  }
  auto text = [&](const char* name, bool required) -> core::result<std::optional<std::string>> {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) {
      if (required) return core::make_error(errc::bad_request, std::string(name) + " is required");
      return std::optional<std::string>();
    }
    if (!it->value().is_string()) return core::make_error(errc::bad_request, std::string(name) + " must be a string");
    return std::optional<std::string>(std::string(it->value().as_string()));
  };
  domain::webhook_config_input in;
  auto url = text("url", true);
  if (!url) return std::move(url).error();
  auto key = text("apiKey", true);
  if (!key) return std::move(key).error();
  auto secret = text("apiSecret", true);
  if (!secret) return std::move(secret).error();
  auto signing = text("signingSecret", false);
  if (!signing) return std::move(signing).error();
  in.url = std::move(**url);
  in.api_key = std::move(**key);
  in.api_secret = std::move(**secret);
  in.signing_secret = std::move(*signing);
  if (auto it = o.find("rotateSigningSecret"); it != o.end()) {
    if (!it->value().is_bool()) return core::make_error(errc::bad_request, "rotateSigningSecret must be a boolean");
    in.rotate = it->value().as_bool();
  }
  if (auto it = o.find("events"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_array() || it->value().as_array().size() > 8)
      return core::make_error(errc::bad_request, "events must be an array of event types");
    std::vector<std::string> types;
    for (const auto& t : it->value().as_array()) {
      if (!t.is_string()) return core::make_error(errc::bad_request, "events must be an array of strings");
      types.emplace_back(t.as_string());
    }
    in.event_types = std::move(types);
  }
  return in;
}

}  // namespace carechat::api
