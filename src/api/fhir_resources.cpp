#include "api/fhir_resources.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/ids.hpp"
#include "core/time_format.hpp"

namespace carechat::api::fhir {
namespace {

namespace json = boost::json;
using core::errc;

constexpr std::string_view thread_prefix = "thread-";

std::string instant(core::unix_ms t) { return core::format_iso8601_ms(t); }

json::object reference(std::string_view type, std::string_view id) {
  json::object r;
  r["reference"] = std::string(type) + "/" + std::string(id);
  return r;
}

// Patient/{id} for the patient; Practitioner/{staff user id} (with the name the message carries)
// for a member of the care team.
json::object party_reference(const domain::party& p) {
  if (p.type == domain::client_type::patient) return reference("Patient", p.id);
  json::object r = reference("Practitioner", p.id);
  if (p.title_name && !p.title_name->empty()) r["display"] = *p.title_name;
  return r;
}

json::object attachment(const domain::attachment_info& a) {
  json::object o;
  o["contentType"] = a.content_type;
  o["url"] = "Binary/" + a.id;
  // R4's Attachment.size is an unsignedInt; attachments are far below 2^31 (CARECHAT_ATTACHMENT_MAX_BYTES).
  o["size"] = static_cast<std::int64_t>(a.size);
  if (!a.name.empty()) o["title"] = a.name;
  return o;
}

json::object communication_object(const domain::message& m, const domain::chat_key& chat) {
  json::object c;
  c["resourceType"] = "Communication";
  c["id"] = m.external_id;
  json::object meta;
  meta["lastUpdated"] = instant(m.created_at);
  if (m.archived) {
    json::object tag;
    tag["system"] = "urn:carechat:tag";
    tag["code"] = "archived";
    tag["display"] = "Archived: hidden from the chat unless asked for";
    meta["tag"] = json::array{tag};
  }
  c["meta"] = std::move(meta);
  json::object ident;
  ident["system"] = identifier_system(chat);
  ident["value"] = m.external_id;
  c["identifier"] = json::array{ident};
  c["partOf"] = json::array{reference("Communication", thread_id(chat.patient))};
  c["status"] = "completed";
  c["subject"] = reference("Patient", chat.patient);
  c["sent"] = instant(m.created_at);
  if (m.read_at) c["received"] = instant(*m.read_at);
  // Outbound messages are addressed to the patient; inbound ones to the care team as a whole,
  // which carechat does not model as a resource: no recipient.
  if (m.receiver) c["recipient"] = json::array{party_reference(*m.receiver)};
  c["sender"] = party_reference(m.sender);
  json::array payload;
  if (!m.text.empty()) {
    json::object p;
    p["contentString"] = m.text;
    payload.push_back(std::move(p));
  }
  for (const auto& a : m.attachments) {
    json::object p;
    p["contentAttachment"] = attachment(a);
    payload.push_back(std::move(p));
  }
  if (!payload.empty()) c["payload"] = std::move(payload);
  return c;
}

std::string_view issue_code(errc code) {
  switch (code) {
    case errc::bad_request:
    case errc::invalid_page_token: return "invalid";
    case errc::unauthorized: return "login";
    case errc::forbidden: return "forbidden";
    case errc::not_found: return "not-found";
    case errc::method_not_allowed:
    case errc::unsupported_media_type:
    case errc::version_not_supported: return "not-supported";
    case errc::payload_too_large: return "too-costly";
    case errc::too_many_requests:
    case errc::rate_limited: return "throttled";
    case errc::unavailable: return "transient";
    case errc::internal: return "exception";
    default: return "processing";
  }
}

json::object search_param(std::string_view name, std::string_view type, std::string_view doc) {
  json::object p;
  p["name"] = name;
  p["type"] = type;
  p["documentation"] = doc;
  return p;
}

json::object interaction(std::string_view code) {
  json::object i;
  i["code"] = code;
  return i;
}

}  // namespace

std::string thread_id(std::string_view patient) { return std::string(thread_prefix) + std::string(patient); }

std::optional<std::string> thread_patient(std::string_view id) {
  if (id.substr(0, thread_prefix.size()) != thread_prefix) return std::nullopt;
  const auto patient = id.substr(thread_prefix.size());
  if (!core::is_path_id(patient)) return std::nullopt;
  return std::string(patient);
}

std::string identifier_system(const domain::chat_key& chat) {
  return "urn:carechat:" + chat.tenant + ":" + chat.instance;
}

std::string communication(const domain::message& m, const domain::chat_key& chat) {
  return json::serialize(communication_object(m, chat));
}

std::string thread_header(const thread_summary& t) {
  json::object c;
  c["resourceType"] = "Communication";
  c["id"] = thread_id(t.chat.patient);
  json::object meta;
  meta["lastUpdated"] = instant(t.last_message_at);
  c["meta"] = std::move(meta);
  json::object ident;
  ident["system"] = identifier_system(t.chat);
  ident["value"] = thread_id(t.chat.patient);
  c["identifier"] = json::array{ident};
  // The chat goes on as long as the patient is cared for.
  c["status"] = "in-progress";
  c["subject"] = reference("Patient", t.chat.patient);
  json::object topic;
  topic["text"] = "Care team chat";
  c["topic"] = std::move(topic);
  c["sent"] = instant(t.first_message_at);
  return json::serialize(c);
}

std::string communication_searchset(const std::vector<domain::message>& msgs, const domain::chat_key& chat,
                                    std::string_view base, const searchset_links& links) {
  json::object b;
  b["resourceType"] = "Bundle";
  b["type"] = "searchset";
  json::array link;
  json::object self;
  self["relation"] = "self";
  self["url"] = links.self;
  link.push_back(std::move(self));
  if (links.next) {
    json::object next;
    next["relation"] = "next";
    next["url"] = *links.next;
    link.push_back(std::move(next));
  }
  b["link"] = std::move(link);
  json::array entries;
  for (const auto& m : msgs) {
    json::object e;
    e["fullUrl"] = std::string(base) + "/Communication/" + m.external_id;
    e["resource"] = communication_object(m, chat);
    json::object search;
    search["mode"] = "match";
    e["search"] = std::move(search);
    entries.push_back(std::move(e));
  }
  if (!entries.empty()) b["entry"] = std::move(entries);
  return json::serialize(b);
}

std::string operation_outcome(const core::error& e) {
  json::object issue;
  issue["severity"] = e.code == errc::internal || e.code == errc::unavailable ? "fatal" : "error";
  issue["code"] = issue_code(e.code);
  issue["diagnostics"] = e.message;
  json::object o;
  o["resourceType"] = "OperationOutcome";
  o["issue"] = json::array{issue};
  return json::serialize(o);
}

std::string capability_statement(std::string_view base, core::unix_ms now) {
  json::object c;
  c["resourceType"] = "CapabilityStatement";
  c["status"] = "active";
  c["date"] = instant(now);
  c["publisher"] = "carechat";
  c["kind"] = "instance";
  json::object software;
  software["name"] = "carechat";
  c["software"] = std::move(software);
  json::object impl;
  impl["description"] = "carechat: patient and care-team messages as FHIR R4 Communication (read-only, Bulk Data export)";
  impl["url"] = base;
  c["implementation"] = std::move(impl);
  c["instantiates"] = json::array{"http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"};
  c["fhirVersion"] = "4.0.1";
  c["format"] = json::array{"json", "application/fhir+json"};

  json::object security;
  security["description"] =
      "Authorization: Bearer <token>. A token belongs to one tenant and instance, whose data the "
      "base URL serves; a patient's token reads that patient's chat only.";

  json::object communication_res;
  communication_res["type"] = "Communication";
  communication_res["interaction"] = json::array{interaction("read"), interaction("search-type")};
  communication_res["searchParam"] = json::array{
      search_param("subject", "reference", "Required: Patient/{id}, the patient whose chat is searched."),
      search_param("_lastUpdated", "date",
                   "Prefixes ge, gt, le, lt on an instant (or a date, read as midnight UTC); repeat to "
                   "bound both ends. A message's lastUpdated is its creation time."),
      search_param("include-archived", "token", "true: archived messages too (default false)."),
  };
  json::object binary_res;
  binary_res["type"] = "Binary";
  binary_res["interaction"] = json::array{interaction("read")};

  // Bulk Data export of the whole instance (api/fhir_bulk, docs/integration.md).
  json::object export_op;
  export_op["name"] = "export";
  export_op["definition"] = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export";
  export_op["documentation"] =
      "GET Group/{tenant}.{instance}/$export with Prefer: respond-async: every message of the instance "
      "(archived ones too) as Communication NDJSON; _type=Communication, _since, _outputFormat.";
  json::object group_res;
  group_res["type"] = "Group";
  group_res["operation"] = json::array{export_op};

  json::object rest;
  rest["mode"] = "server";
  rest["documentation"] =
      "Searches return oldest first; _count is the page size (default 20, at most 200); follow the "
      "Bundle's next link to page.";
  rest["security"] = std::move(security);
  rest["resource"] = json::array{communication_res, binary_res, group_res};
  c["rest"] = json::array{rest};
  return json::serialize(c);
}

}  // namespace carechat::api::fhir
