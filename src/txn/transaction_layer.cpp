#include "txn/transaction_layer.hpp"

#include <utility>

#include "sip/builder.hpp"
#include "txn/client_invite.hpp"
#include "txn/client_non_invite.hpp"
#include "txn/matching.hpp"
#include "txn/server_invite.hpp"
#include "txn/server_non_invite.hpp"

namespace sipline::txn {
namespace {

void append_hex(std::string& out, std::uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) {
    out.push_back(digits[(value >> static_cast<unsigned>(shift)) & 0xfu]);
  }
}

constexpr std::string_view magic_cookie = "z9hG4bK";

}  // namespace

class TransactionLayer::Scope {
 public:
  explicit Scope(TransactionLayer& layer) : layer_(layer) { ++layer_.depth_; }
  ~Scope() {
    if (--layer_.depth_ == 0) layer_.reap();
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  TransactionLayer& layer_;
};

TransactionLayer::TransactionLayer(runtime::TimerService& timers, sip::TransportSink& transport,
                                   RandomSource random, LayerConfig config)
    : timers_(timers), transport_(transport), random_(std::move(random)), config_(config) {
  // Server transactions have nobody to report unusable timer values to (a
  // zero T1 would retransmit forever at one instant); the configuration layer
  // validates them first, so this is only a last line of defence.
  if (!config_.timers.validate()) config_.timers = TimerConfig{};
}

TransactionLayer::~TransactionLayer() = default;

std::string TransactionLayer::new_branch() {
  std::string branch(magic_cookie);
  append_hex(branch, random_());
  append_hex(branch, random_());
  return branch;
}

std::string TransactionLayer::new_tag() {
  std::string tag;
  append_hex(tag, random_());
  return tag;
}

runtime::Timer TransactionLayer::start_timer(Duration delay, std::function<void()> fn) {
  // Every timer callback is a call into the layer: a transaction it ends is
  // destroyed after the callback has returned.
  return timers_.start(delay, [this, fn = std::move(fn)] {
    Scope scope(*this);
    fn();
  });
}

sip::SendResult TransactionLayer::send(const sip::Message& message, const sip::Target& target) {
  return transport_.send(message, target);
}

void TransactionLayer::ended(TransactionId id) {
  if (auto it = clients_.find(id); it != clients_.end()) {
    client_keys_.erase(it->second.key);
    ended_.push_back(std::move(it->second.txn));
    clients_.erase(it);
    return;
  }
  if (auto it = servers_.find(id); it != servers_.end()) {
    server_keys_.erase(it->second.key);
    if (!it->second.merge_key.empty()) merge_keys_.erase(it->second.merge_key);
    ended_.push_back(std::move(it->second.txn));
    servers_.erase(it);
  }
}

void TransactionLayer::reap() {
  // Destructors do not call back, so nothing can be added while clearing.
  ended_.clear();
}

Result<TransactionId> TransactionLayer::send_request(sip::Message request, sip::Target target,
                                                     ClientCallbacks callbacks) {
  return send_request(std::move(request), std::move(target), std::move(callbacks), config_.timers);
}

Result<TransactionId> TransactionLayer::send_request(sip::Message request, sip::Target target,
                                                     ClientCallbacks callbacks,
                                                     const TimerConfig& timers) {
  Scope scope(*this);
  if (!request.is_request()) return fail(Errc::malformed, "not a request");
  if (request.method() == sip::Method::ack) {
    return fail(Errc::invalid_state, "an ACK is sent without a transaction");
  }
  const std::string_view branch = request.top_via().branch;
  if (!request.top_via().rfc3261_branch() || branch.size() <= magic_cookie.size()) {
    return fail(Errc::malformed, "the top Via needs an RFC 3261 branch");
  }
  if (request.cseq().method_text != request.method_text()) {
    return fail(Errc::malformed, "CSeq method differs from the request method");
  }
  SIPLINE_TRY(timers.validate());
  if (size() >= config_.max_transactions) {
    return fail(Errc::limit_exceeded, "too many transactions");
  }
  std::string key = client_key_of_request(request);
  if (client_keys_.count(key) != 0) {
    return fail(Errc::invalid_state, "a transaction with this branch and method is live");
  }

  const TransactionId id = next_id();
  TransactionEnv& env = *this;
  std::unique_ptr<ClientTransaction> txn;
  if (request.method() == sip::Method::invite) {
    txn = std::make_unique<ClientInviteTransaction>(env, id, std::move(request), std::move(target),
                                                    timers, std::move(callbacks));
  } else {
    txn = std::make_unique<ClientNonInviteTransaction>(
        env, id, std::move(request), std::move(target), timers, std::move(callbacks));
  }
  ClientTransaction& ref = *txn;
  client_keys_.emplace(key, id);
  clients_.emplace(id, ClientEntry{std::move(txn), std::move(key)});
  ref.start();
  return id;
}

Result<void> TransactionLayer::respond(TransactionId id, sip::Message response) {
  Scope scope(*this);
  auto it = servers_.find(id);
  if (it == servers_.end()) return fail(Errc::not_found, "no such server transaction");
  ServerTransaction& txn = *it->second.txn;
  const sip::Message& request = txn.request();
  if (!response.is_response()) return fail(Errc::malformed, "not a response");
  if (response.cseq().number != request.cseq().number ||
      response.cseq().method_text != request.cseq().method_text) {
    return fail(Errc::malformed, "the response's CSeq does not match the request");
  }
  return txn.respond(std::move(response));
}

Result<void> TransactionLayer::abandon(TransactionId id) {
  Scope scope(*this);
  if (clients_.count(id) == 0 && servers_.count(id) == 0) {
    return fail(Errc::not_found, "no such transaction");
  }
  // Unlinked now, destroyed (timers and all) when the outermost call returns.
  ended(id);
  return ok();
}

void TransactionLayer::on_message(sip::Message message, const sip::Target& source) {
  Scope scope(*this);
  if (message.is_request()) {
    on_request(std::move(message), source);
    return;
  }
  // §17.1.3. A user agent drops what matches nothing (§18.1.2 as amended by
  // RFC 6026): a late 2xx is the dialog's business only while Accepted.
  auto key = client_keys_.find(client_key_of_response(message));
  if (key == client_keys_.end()) {
    ++stats_.stray_responses;
    return;
  }
  clients_.at(key->second).txn->on_response(message);
}

TransactionLayer::ServerEntry* TransactionLayer::match_server(const sip::Message& request,
                                                              bool is_ack) {
  const ServerMatch match = server_match(request);
  auto key = server_keys_.find(match.key);
  if (key == server_keys_.end()) return nullptr;
  ServerEntry& entry = servers_.at(key->second);
  if (!match.rfc2543) return &entry;
  // §17.2.3 for RFC 2543 peers: the To tag must be the INVITE's, or for an
  // ACK the one in the response being acknowledged.
  const ServerTransaction& txn = *entry.txn;
  std::string_view expected = txn.request().to_tag();
  if (is_ack) {
    if (!txn.last_response()) return nullptr;
    expected = txn.last_response()->to_tag();
  }
  return request.to_tag() == expected ? &entry : nullptr;
}

void TransactionLayer::on_request(sip::Message request, const sip::Target& source) {
  const bool is_ack = request.method() == sip::Method::ack;
  if (ServerEntry* entry = match_server(request, is_ack)) {
    if (!is_ack) ++stats_.absorbed_requests;
    entry->txn->on_request(request);
    return;
  }
  if (is_ack) {
    // No transaction: the ACK for a 2xx, which is the dialog's business.
    if (handler_.on_ack) handler_.on_ack(request, source);
    return;
  }
  if (size() >= config_.max_transactions || !handler_.on_request) {
    ++stats_.dropped_requests;
    return;
  }
  std::string merge = merge_key(request);
  if (!merge.empty() && merge_keys_.count(merge) != 0) {
    answer_merged(std::move(request), source);
    return;
  }
  ServerMatch match = server_match(request);
  if (server_keys_.count(match.key) != 0) {
    // Only possible for RFC 2543 requests that differ from a live one in the
    // To tag alone: neither a retransmission nor a new transaction we can key.
    ++stats_.dropped_requests;
    return;
  }

  const TransactionId id = next_id();
  ServerCallbacks callbacks;
  callbacks.on_ack = [this, source](const sip::Message& ack) {
    if (handler_.on_ack) handler_.on_ack(ack, source);
  };
  callbacks.on_terminated = [this, id](EndReason reason) {
    if (handler_.on_terminated) handler_.on_terminated(id, reason);
  };
  ServerEntry& entry = add_server(id, std::move(request), source, std::move(callbacks),
                                  std::move(match.key), match.rfc2543);
  if (!merge.empty()) {
    merge_keys_.emplace(merge, id);
    entry.merge_key = std::move(merge);
  }
  ServerTransaction& txn = *entry.txn;
  txn.start();
  handler_.on_request(id, txn.request(), source);
}

TransactionLayer::ServerEntry& TransactionLayer::add_server(TransactionId id, sip::Message request,
                                                            const sip::Target& source,
                                                            ServerCallbacks callbacks,
                                                            std::string key, bool rfc2543) {
  sip::Target target = response_target(request, source);
  TransactionEnv& env = *this;
  std::unique_ptr<ServerTransaction> txn;
  if (request.method() == sip::Method::invite) {
    txn = std::make_unique<ServerInviteTransaction>(env, id, std::move(request), std::move(target),
                                                    config_.timers, std::move(callbacks));
  } else {
    txn = std::make_unique<ServerNonInviteTransaction>(
        env, id, std::move(request), std::move(target), config_.timers, std::move(callbacks));
  }
  server_keys_.emplace(key, id);
  auto [it, inserted] =
      servers_.emplace(id, ServerEntry{std::move(txn), std::move(key), {}, rfc2543});
  return it->second;
}

void TransactionLayer::answer_merged(sip::Message request, const sip::Target& source) {
  // §8.2.2.2: the same request reached us along two paths. It gets its own
  // transaction, so that its retransmissions are answered too, and the TU
  // never sees it.
  ++stats_.merged_requests;
  ServerMatch match = server_match(request);
  if (server_keys_.count(match.key) != 0) return;
  auto response = sip::response_to(request, 482, "Loop Detected", new_tag()).build();
  if (!response) return;
  ServerEntry& entry = add_server(next_id(), std::move(request), source, ServerCallbacks{},
                                  std::move(match.key), match.rfc2543);
  entry.txn->start();
  (void)entry.txn->respond(std::move(*response));
}

void TransactionLayer::on_transport_error(const sip::Target& target, sip::TransportError error) {
  Scope scope(*this);
  std::vector<TransactionId> hit;
  for (const auto& [id, entry] : clients_) {
    if (entry.txn->target() == target) hit.push_back(id);
  }
  for (const auto& [id, entry] : servers_) {
    if (entry.txn->response_target() == target) hit.push_back(id);
  }
  // Each may end, and its TU may start new ones, so look every id up again.
  for (TransactionId id : hit) {
    if (auto c = clients_.find(id); c != clients_.end()) {
      c->second.txn->on_transport_error(error);
    } else if (auto s = servers_.find(id); s != servers_.end()) {
      s->second.txn->on_transport_error(error);
    }
  }
}

std::optional<TransactionId> TransactionLayer::find_invite(const sip::Message& cancel) const {
  const ServerMatch match = server_match(cancel, "INVITE");
  auto key = server_keys_.find(match.key);
  if (key == server_keys_.end()) return std::nullopt;
  if (match.rfc2543 && servers_.at(key->second).txn->request().to_tag() != cancel.to_tag()) {
    return std::nullopt;
  }
  return key->second;
}

const ClientTransaction* TransactionLayer::client(TransactionId id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second.txn.get();
}

const ServerTransaction* TransactionLayer::server(TransactionId id) const {
  auto it = servers_.find(id);
  return it == servers_.end() ? nullptr : it->second.txn.get();
}

}  // namespace sipline::txn
