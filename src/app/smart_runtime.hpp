// SMART App Launch at startup: the issuer allow-list read and checked (with each client secret
// read from its file), carechat's signing key loaded or generated, and the services the
// /smart/ routes use. Any problem stops `serve` before it listens. Thread-safety: call from the
// starting thread.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "app/config.hpp"
#include "core/result.hpp"
#include "net/handlers/smart_handlers.hpp"

namespace carechat::app {

// nullptr (SMART off) when cfg.smart_issuers_file is empty. `default_key_file`: where the key
// lives when CARECHAT_SMART_KEY_FILE is unset ("" when there is no default: PostgreSQL).
core::result<std::unique_ptr<net::smart_services>> start_smart(const config& cfg, const std::string& default_key_file,
                                                               boost::asio::ssl::context& tls);

// The PEM key at `path`, or a new EC P-384 key written there (mode 0600) when the file is missing.
core::result<core::jose_key> load_or_create_signing_key(const std::string& path);

}  // namespace carechat::app
