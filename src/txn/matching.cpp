#include "txn/matching.hpp"

#include <cctype>

namespace sipline::txn {
namespace {

class KeyWriter {
 public:
  explicit KeyWriter(char kind) { key_.push_back(kind); }

  KeyWriter& field(std::string_view value) {
    key_ += std::to_string(value.size());
    key_.push_back(':');
    key_.append(value);
    return *this;
  }
  // Hosts compare case-insensitively (§19.1.4, used for sent-by too).
  KeyWriter& lowercase_field(std::string_view value) {
    key_ += std::to_string(value.size());
    key_.push_back(':');
    for (char c : value) {
      key_.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return *this;
  }
  std::string take() { return std::move(key_); }

 private:
  std::string key_;
};

std::string_view method_for_key(const sip::Message& request) {
  // An ACK for a non-2xx final response belongs to the INVITE transaction.
  if (request.method() == sip::Method::ack) return "INVITE";
  return request.method_text();
}

}  // namespace

std::string client_key(std::string_view branch, std::string_view method) {
  return KeyWriter('c').field(branch).field(method).take();
}

std::string client_key_of_request(const sip::Message& request) {
  return client_key(request.top_via().branch, request.method_text());
}

std::string client_key_of_response(const sip::Message& response) {
  return client_key(response.top_via().branch, response.cseq().method_text);
}

ServerMatch server_match(const sip::Message& request) {
  return server_match(request, method_for_key(request));
}

ServerMatch server_match(const sip::Message& request, std::string_view method) {
  const sip::Via& via = request.top_via();
  if (via.rfc3261_branch()) {
    const auto port = via.sent_by.port;
    KeyWriter key('s');
    key.field(via.branch).lowercase_field(via.sent_by.host);
    key.field(port ? std::to_string(*port) : std::string());
    key.field(method);
    return ServerMatch{key.take(), false};
  }
  // §17.2.3, RFC 2543 rules: Request-URI, From tag, Call-ID, CSeq and the top
  // Via (the To tag is compared by the caller).
  KeyWriter key('o');
  key.field(request.request_uri().raw).field(request.from_tag()).field(request.call_id());
  key.field(std::to_string(request.cseq().number)).field(method).field(via.raw);
  return ServerMatch{key.take(), true};
}

std::string merge_key(const sip::Message& request) {
  const sip::Method method = request.method();
  if (!request.to_tag().empty() || request.from_tag().empty() || method == sip::Method::ack) {
    return {};
  }
  KeyWriter key('m');
  key.field(request.from_tag()).field(request.call_id());
  key.field(std::to_string(request.cseq().number)).field(request.cseq().method_text);
  return key.take();
}

sip::Target response_target(const sip::Message& request, const sip::Target& source) {
  if (sip::is_reliable(source.transport)) return source;
  const sip::Via& via = request.top_via();
  sip::Target target = source;
  if (!via.rport) target.port = via.sent_by.port.value_or(5060);
  return target;
}

}  // namespace sipline::txn
