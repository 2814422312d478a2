// The little XML the S3 store reads and writes: one element's text out of S3's replies (an error's
// Code, a new upload's UploadId) and escaping for the CompleteMultipartUpload body. S3's replies are
// small, flat and machine-written, so a search for the element stands in for a parser; nothing here
// accepts XML from anyone but the configured S3 endpoint. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carechat::store::s3 {

// The text of the first <name>...</name> in `xml` (no attributes on it), with the five predefined
// entities decoded; none if there is no such element.
std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name);

// `text` with & < > " ' as entities, for an element's text.
std::string xml_escape(std::string_view text);

}  // namespace carechat::store::s3
