#include "net/reply.hpp"

#include "api/error_mapping.hpp"

namespace carechat::net {

reply error_reply(const core::error& e) { return reply{api::http_status(e.code), api::error_body(e)}; }

}  // namespace carechat::net
