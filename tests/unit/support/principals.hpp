// The principals the unit tests act as, in tenant gh / instance sb-demo: one definition for every
// test binary (domain, store, app). Thread-safety: pure functions.
#pragma once

#include <string>

#include "domain/principal.hpp"

namespace carechat::test {

// A patient of chat `id`, with token "tk_patient_<id>".
inline domain::principal test_patient(const std::string& id = "p1") {
  domain::principal p;
  p.token_id = "tk_patient_" + id;
  p.role = domain::role::patient;
  p.tenant = "gh";
  p.instance = "sb-demo";
  p.patient_id = id;
  return p;
}

// Staff user u1, "Dana Scully", with token "tk_staff".
inline domain::principal test_staff() {
  domain::principal p;
  p.token_id = "tk_staff";
  p.role = domain::role::user;
  p.tenant = "gh";
  p.instance = "sb-demo";
  p.user_id = "u1";
  p.display_name = "Dana Scully";
  return p;
}

}  // namespace carechat::test
