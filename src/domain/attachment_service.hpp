// The attachment use cases (issue #14) as free functions, like chat_service: each authorizes
// first, then validates, then prepares a write command or decides what a reader may see. The
// bytes' pipeline (sniffing, scanning, storing) lives in media and net; these functions only
// decide. Thread-safety: pure functions over the arguments.
#pragma once

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/access_policy.hpp"
#include "domain/attachment.hpp"
#include "domain/limits.hpp"
#include "domain/store.hpp"

namespace carechat::domain {

// ---- POST .../chat/attachments ----
// Authorizes the upload and records it as pending under a new id.
core::result<attachment_begin_command> prepare_upload(const principal& who, const chat_key& chat,
                                                      core::random_source& rng, const core::clock& clk);

// The upload's end: `info` complete (its name as the client sent it, sanitized here), clean or
// refused; `outcome` is what the audit row records ("ok", or the refusal's error code name).
attachment_finish_command finish_upload(const principal& who, const chat_key& chat, attachment_info info,
                                        attachment_state state, std::string outcome, const core::clock& clk);

// ---- GET .../chat/attachments/{id}[/thumbnail] ----
// Whether `who` may read this attachment's bytes: clean; sent in a message (or, before it is
// sent, only to the token that uploaded it, to preview); of an archived message only when the
// request asked for archived messages, as pages do. Anything else is not_found, one message for
// all, so a caller learns nothing about ids that are not theirs to read.
core::result<void> check_download(const principal& who, const attachment_record& record, bool include_archived);

}  // namespace carechat::domain
