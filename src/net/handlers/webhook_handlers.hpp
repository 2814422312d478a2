// The webhook admin routes (role admin of the tenant/instance):
//   GET  /{t}/{i}/webhook                                   the endpoint, secrets masked
//   PUT  /{t}/{i}/webhook                                   configure (JSON body)
//   POST /{t}/{i}/webhook/disable                           stop delivering
//   GET  /{t}/{i}/webhook/deliveries?limit=N                the attempt log, newest first
//   POST /{t}/{i}/webhook/deliveries/{eventId}/redeliver    queue an event again
// Each authenticates and authorizes on the blocking pool and queues an audit row (patient "*").
// Thread-safety: run on the calling connection's executor (its I/O thread).
#pragma once

#include <string>
#include <vector>

#include <boost/url/params_view.hpp>

#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"

namespace carechat::net {

// `segs` are the path segments; segs[2] == "webhook".
// `ctx`: the request's id (audited) and who asked (recorded here).
asio::awaitable<reply> webhook_route(const request& req, services& svc, const std::vector<std::string>& segs,
                                     boost::urls::params_view params, request_context& ctx);

}  // namespace carechat::net
