#pragma once
// The grammar shared by challenges and credentials (RFC 3261 §25.1, RFC 7616
// §3.3/§3.4):
//
//   value      = scheme LWS auth-param *(COMMA auth-param)
//   auth-param = token EQUAL ( token / quoted-string )
//
// The splitter is a single bounded, non-recursive pass over the view. Every
// returned string_view points into the input.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/inline_vector.hpp"
#include "common/result.hpp"

namespace sipline::auth {

struct AuthLimits {
  std::size_t max_value_size = 8192;  // one whole header field value
  std::size_t max_params = 32;        // auth-params in one value
  std::size_t max_param_size = 1024;  // one parameter value (nonce, opaque, realm, ...)
};

// One auth-param. `value` is raw: for a quoted-string, the text between the
// quotes with quoted-pairs and folding still in place (see unquote()). A token
// never contains either, so unquote() is the identity on it.
struct AuthParam {
  std::string_view name;
  std::string_view value;
  bool quoted = false;
};

// Room for a usual challenge or credentials (RFC 7616 §3.4 credentials with
// qop carry ten parameters, eleven with userhash) without an allocation.
inline constexpr std::size_t kInlineAuthParams = 12;

// The noexcept constructor below only builds empty views and an empty
// inline vector, none of which throws.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct AuthFields {
  // Not defaulted: value-initialising an aggregate would first zero the
  // inline room for the parameters, which nothing reads.
  AuthFields() noexcept {}  // NOLINT(modernize-use-equals-default)

  std::string_view scheme;
  // In input order, names unique (case-insensitively).
  InlineVector<AuthParam, kInlineAuthParams> params;

  // The parameter with this name (case-insensitive), or nullptr.
  const AuthParam* find(std::string_view name) const noexcept;
};

// Splits a WWW-Authenticate / Proxy-Authenticate / Authorization /
// Proxy-Authorization value. LWS may include folding (CRLF followed by SP or
// HTAB). Empty list elements (",,") are skipped, as RFC 7230 §7 allows.
// Errors: limit_exceeded (sizes, parameter count), malformed (grammar,
// duplicate parameter names).
Result<AuthFields> split_auth_fields(std::string_view value, const AuthLimits& limits = {});

// The two halves of split_auth_fields, exposed for the equivalence tests.
// The fast path takes only the common form (`scheme SP name=value` with token
// or plain quoted values, "," or ", " between parameters, every limit met,
// no duplicate); from an empty `out` it returns true with `out` filled
// exactly as the general path would fill it, or false, leaving `out`
// unspecified, for anything else, which the general path then decides.
bool split_auth_fields_fast(std::string_view value, const AuthLimits& limits, AuthFields& out);
Result<AuthFields> split_auth_fields_general(std::string_view value, const AuthLimits& limits = {});

// ASCII case-insensitive equality. Inline: the parsers call it for every
// parameter name.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) {
      return false;
    }
  }
  return true;
}

bool is_token(std::string_view text) noexcept;

// Removes quoted-pair escapes and folding CRLFs from a raw value.
std::string unquote(std::string_view raw);

// True when the text can be written as a quoted-string: it has no CR or LF,
// which no escape can carry.
bool is_quotable(std::string_view text) noexcept;

// Appends `"text"`, escaping '"', '\' and control characters as quoted-pairs.
// The caller checks is_quotable() first.
void append_quoted(std::string& out, std::string_view text);

// A short, printable rendering of peer text for error messages: printable
// ASCII is kept, other bytes become '?', and long text is cut, so that no
// control characters or kilobyte strings from a peer reach a log line.
std::string printable(std::string_view text);

}  // namespace sipline::auth
