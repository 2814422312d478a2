// `carechat demo`: seeds the demo tenant gh/sb-demo with one patient's short conversation (once)
// and mints fresh tokens for a staff user, the patient and an API client, printing how to use them.
#include <iostream>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/store_factory.hpp"
#include "domain/authentication.hpp"
#include "domain/chat_service.hpp"

namespace carechat::app {
namespace {

constexpr const char* demo_help = R"(usage: carechat demo [--db PATH] [--listen HOST:PORT]

Seeds tenant gh, instance sb-demo, patient 7272b601-bb09-4abf-87c0-ade48ddfaea0 with a short
conversation (only if that chat is empty), creates new tokens for a staff user, the patient and an
API client, and prints them with example requests against --listen (default 127.0.0.1:8080).
)";

constexpr const char* tenant = "gh";
constexpr const char* instance = "sb-demo";
constexpr const char* patient = "7272b601-bb09-4abf-87c0-ade48ddfaea0";
constexpr const char* user_id = "379a1c22-aac4-4741-a083-c3c80105ee94";
constexpr const char* user_name = "Root Root";

struct line {
  domain::message_kind kind;
  const char* text;
};
constexpr line conversation[] = {
    {domain::message_kind::inbound, "Hello, I have a question about my new prescription."},
    {domain::message_kind::outbound, "Hi! Of course. What would you like to know?"},
    {domain::message_kind::inbound, "Should I take it with food?"},
    {domain::message_kind::outbound, "Yes, please take it with breakfast. Any dizziness, let us know."},
    {domain::message_kind::inbound, "Thank you, will do."},
};

}  // namespace

int demo_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "listen"}, {"help"});
  if (!a) {
    std::cerr << "carechat demo: " << a.error().message << "\n\n" << demo_help;
    return 2;
  }
  if (a->has("help")) {
    std::cout << demo_help;
    return 0;
  }
  auto cfg = load_config(*a);
  if (!cfg) {
    std::cerr << "carechat demo: " << cfg.error().message << '\n';
    return 2;
  }
  core::system_clock clock;
  core::openssl_random rng;
  auto opened = open_store(*cfg, clock, rng);
  if (!opened) {
    std::cerr << "carechat demo: " << opened.error().message << '\n';
    return 1;
  }
  domain::store& st = **opened;
  const domain::chat_key chat{tenant, instance, patient};

  // Tokens first: the seed messages are written as these principals, so the audit trail is honest.
  std::string secrets[3];
  domain::principal people[3];
  people[0].role = domain::role::user;
  people[0].user_id = user_id;
  people[0].display_name = user_name;
  people[1].role = domain::role::patient;
  people[1].patient_id = patient;
  people[2].role = domain::role::client;
  for (int i = 0; i < 3; ++i) {
    people[i].tenant = tenant;
    people[i].instance = instance;
    auto issued = domain::issue_token(people[i], rng, clock);
    if (!issued) {
      std::cerr << "carechat demo: " << issued.error().message << '\n';
      return 1;
    }
    if (auto ok = st.insert_token(issued->record); !ok) {
      std::cerr << "carechat demo: " << ok.error().message << '\n';
      return 1;
    }
    secrets[i] = issued->secret;
    people[i] = issued->record.who;
  }

  auto reader = st.open_reader();
  auto existing = reader->messages(domain::page_query{chat, true, std::nullopt, domain::direction::older, 1});
  if (!existing) {
    std::cerr << "carechat demo: " << existing.error().message << '\n';
    return 1;
  }
  if (existing->empty()) {
    domain::limits lim;
    for (const auto& l : conversation) {
      const auto& who = l.kind == domain::message_kind::inbound ? people[1] : people[0];
      auto cmd = domain::prepare_send(who, chat, l.kind, domain::send_input{l.text, {}, {}, {}, {}}, lim, rng, clock);
      if (!cmd) {
        std::cerr << "carechat demo: " << cmd.error().message << '\n';
        return 1;
      }
      const domain::write_command batch[] = {std::move(*cmd)};
      auto out = st.apply(batch);
      if (!out.front()) {
        std::cerr << "carechat demo: " << out.front().error().message << '\n';
        return 1;
      }
    }
  }

  const std::string base = "http://" + cfg->listen_host + ":" + std::to_string(cfg->listen_port);
  const std::string chat_url = base + "/" + tenant + "/" + instance + "/patient/" + patient + "/chat";
  std::cout << "carechat demo data in " << display_database(cfg->db_path) << "\n\n"
            << "  tenant/instance  " << tenant << "/" << instance << "\n"
            << "  patient          " << patient << "\n"
            << "  chat API         " << chat_url << "\n\n"
            << "  chart pane (staff):  " << base << "/app/" << tenant << "/" << instance << "/patient/" << patient
            << "#token=" << secrets[0] << "\n"
            << "  patient portal:      " << base << "/portal/" << tenant << "/" << instance << "/patient/" << patient
            << "#token=" << secrets[1] << "\n\n"
            << "  staff user token (" << user_name << "):  " << secrets[0] << "\n"
            << "  patient token:                  " << secrets[1] << "\n"
            << "  API client token:               " << secrets[2] << "\n\n"
            << "Try:\n"
            << "  curl -s -H 'Authorization: Bearer " << secrets[0] << "' '" << chat_url << "?pageSize=5'\n"
            << "  curl -s -H 'Authorization: Bearer " << secrets[1] << "' -H 'Content-Type: application/json' \\\n"
            << "       -d '{\"message\":\"hello, world!\"}' '" << chat_url << "/inbound'\n"
            << "  curl -s -H 'Authorization: Bearer " << secrets[0] << "' '" << chat_url << "/search?query=food'\n\n";
  return 0;
}

}  // namespace carechat::app
