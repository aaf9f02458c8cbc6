#include "call/session.hpp"

#include <algorithm>
#include <utility>

#include "sip/header_id.hpp"

namespace sipline::call {

namespace {

constexpr std::string_view max_forwards = "70";  // RFC 3261 §8.1.1.6
constexpr std::string_view allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO";

std::string host_for_header(const std::string& address) {
  if (address.find(':') != std::string::npos) return "[" + address + "]";
  return address;
}

// §14.2: "a randomly chosen value of between 0 and 10 seconds", taken from
// the layer's random tag so that no clock or generator is needed here.
std::string retry_after_seconds(std::string_view random_hex) {
  unsigned value = 0;
  for (char c : random_hex) value = value * 16 + static_cast<unsigned>(c) % 16;
  return std::to_string(value % 11);
}

}  // namespace

std::string_view to_string(CallState state) noexcept {
  switch (state) {
    case CallState::calling:
      return "calling";
    case CallState::ringing:
      return "ringing";
    case CallState::answering:
      return "answering";
    case CallState::established:
      return "established";
    case CallState::ended:
      return "ended";
  }
  return "ended";
}

std::string_view to_string(Direction direction) noexcept {
  return direction == Direction::outgoing ? "outgoing" : "incoming";
}

std::string_view to_string(RouteFailure failure) noexcept {
  switch (failure) {
    case RouteFailure::timeout:
      return "timeout";
    case RouteFailure::refused:
      return "refused";
    case RouteFailure::unreachable:
      return "unreachable";
    case RouteFailure::reset:
      return "connection reset";
    case RouteFailure::tls_failure:
      return "tls failure";
    case RouteFailure::service_unavailable:
      return "service unavailable";
  }
  return "timeout";
}

std::string via_value(const sip::Target& local, std::string_view branch) {
  std::string via = "SIP/2.0/";
  via += sip::to_string(local.transport);
  via += ' ';
  via += host_for_header(local.address);
  if (local.port != 0) via += ":" + std::to_string(local.port);
  via += ";branch=";
  via += branch;
  via += ";rport";
  return via;
}

std::vector<auth::ChallengeValue> challenges_in(const sip::Message& response) {
  std::vector<auth::ChallengeValue> challenges;
  for (const auto& field : response.headers()) {
    if (field.id == sip::HeaderId::www_authenticate) {
      challenges.push_back({auth::ChallengeOrigin::www_authenticate, field.value});
    } else if (field.id == sip::HeaderId::proxy_authenticate) {
      challenges.push_back({auth::ChallengeOrigin::proxy_authenticate, field.value});
    }
  }
  return challenges;
}

std::string media_address(std::string address) {
  if (address.empty() || address == "0.0.0.0") return "127.0.0.1";
  return address;
}

std::optional<sip::Target> literal_target(std::string_view text, sip::TransportKind fallback) {
  auto uri = sip::parse_uri(text);
  if (!uri || uri->host_port.kind == sip::HostKind::hostname) return std::nullopt;
  sip::Target t;
  t.transport = fallback;
  const std::string transport = uri->transport();
  if (transport == "udp") t.transport = sip::TransportKind::udp;
  if (transport == "tcp") t.transport = sip::TransportKind::tcp;
  if (transport == "tls" || uri->scheme == sip::UriScheme::sips) {
    t.transport = sip::TransportKind::tls;
  }
  t.address = std::string(uri->host());
  t.port = uri->port().value_or(t.transport == sip::TransportKind::tls ? 5061 : 5060);
  return t;
}

Session::Session(CallEnv& env, std::string id, LocalParty party, Direction direction,
                 EventSink sink)
    : env_(env),
      id_(std::move(id)),
      party_(std::move(party)),
      direction_(direction),
      state_(direction == Direction::outgoing ? CallState::calling : CallState::ringing),
      sink_(std::move(sink)),
      since_(env.timers.now()) {}

Session::~Session() = default;

bool Session::matches(const sip::Message& request) const {
  return dialog_ && dialog_->matches_request(request);
}

CallInfo Session::info() const {
  return CallInfo{id_, party_.account, direction_, state_, peer_, server_, since_};
}

void Session::emit(CallEventType type, int code, std::string reason) {
  if (!sink_) return;
  CallEvent e{type, id_, party_.account, server_, peer_, code, std::move(reason)};
  // The sink may drop the manager's reference: keep ourselves alive.
  auto self = shared_from_this();
  sink_(e);
}

void Session::end(int code, std::string reason) {
  if (state_ == CallState::ended) return;
  state_ = CallState::ended;
  retransmit_timer_.cancel();
  give_up_timer_.cancel();
  pending_2xx_.reset();
  // A re-INVITE in flight stays: its 2xx still needs the ACK (§13.2.2.4).
  refresh_.retry.cancel();
  refresh_.recheck = false;
  emit(CallEventType::ended, code, std::move(reason));
}

void Session::send_bye() {
  if (!dialog_) return;
  send_bye_in(std::make_shared<Dialog>(*dialog_), {});
  ++dialog_->local_cseq;  // the copy used the next number
}

void Session::send_bye_in(std::shared_ptr<Dialog> dialog,
                          const std::vector<auth::AuthorizationHeader>& credentials) {
  const sip::Target target = [&] {
    if (auto t = literal_target(dialog->next_hop_uri(), first_hop_.transport)) return *t;
    return first_hop_;
  }();
  auto request = dialog->request(sip::Method::bye);
  const bool retry = !credentials.empty();
  for (const auto& c : credentials) request.add(c.header_name(), c.value);
  txn::ClientCallbacks callbacks;
  if (!retry) {
    std::weak_ptr<Session> weak = weak_from_this();
    callbacks.on_response = [weak, dialog](const sip::Message& response) {
      if (auto self = weak.lock()) self->on_bye_response(dialog, response);
    };
  }
  (void)send_request(std::move(request), target, std::move(callbacks));
}

void Session::on_bye_response(std::shared_ptr<Dialog> dialog, const sip::Message& response) {
  const int code = response.status_code();
  if (code != 401 && code != 407) return;
  // §22.2: the BYE again, once, with credentials and the next CSeq.
  const std::string uri = dialog->request_uri();
  auth::DigestClient digest(party_.credentials, env_.cnonce);
  auto answer = digest.respond(challenges_in(response), {"BYE", uri, ""});
  if (!answer || answer->empty()) return;
  send_bye_in(std::move(dialog), *answer);
}

Result<txn::TransactionId> Session::send_request(sip::MessageBuilder request,
                                                 const sip::Target& target,
                                                 txn::ClientCallbacks callbacks,
                                                 std::optional<int> retransmit_budget) {
  auto message = complete_for_wire(std::move(request), target);
  if (!message) return message.error();
  txn::TimerConfig timers = env_.timer_config;
  if (retransmit_budget) {
    timers.retransmit_budget = static_cast<std::uint8_t>(
        std::clamp(*retransmit_budget, 0, int{txn::TimerConfig::max_retransmit_budget}));
  }
  return env_.layer.send_request(std::move(*message), target, std::move(callbacks), timers);
}

Result<sip::Message> Session::complete_for_wire(sip::MessageBuilder request,
                                                const sip::Target& target) {
  auto local = env_.local_address(target);
  if (!local) return fail(Errc::not_found, "no local address towards the target");
  request.prepend(sip::HeaderId::via, via_value(*local, env_.layer.new_branch()));
  request.set(sip::HeaderId::max_forwards, max_forwards);
  return request.build();
}

std::optional<sip::Message> Session::send_ack_for_2xx(sip::MessageBuilder ack,
                                                      const sip::Target& target) {
  auto message = complete_for_wire(std::move(ack), target);
  if (!message) return std::nullopt;
  (void)env_.wire.send(*message, target);
  return std::move(*message);
}

std::string Session::contact_value(const sip::Target& peer) {
  auto local = env_.local_address(peer);
  contact_local_ = local;
  std::string uri = "sip:" + party_.user + "@";
  if (local) {
    uri += host_for_header(local->address) + ":" + std::to_string(local->port);
    if (local->transport != sip::TransportKind::udp) {
      uri += local->transport == sip::TransportKind::tcp ? ";transport=tcp" : ";transport=tls";
    }
  } else {
    uri += party_.domain;
  }
  return "<" + uri + ">";
}

sip::Target Session::in_dialog_target() const {
  if (dialog_) {
    if (auto t = literal_target(dialog_->next_hop_uri(), first_hop_.transport)) return *t;
  }
  return first_hop_;
}

LocalMedia Session::media_for(const sip::Target& peer) {
  if (local_media_.address.empty()) {
    // The first SDP of the session fixes the address of o= and c= (RFC 3264
    // §8: later descriptions repeat the o-line but for its version).
    if (auto local = env_.local_address(peer)) local_media_.address = local->address;
    local_media_.address = media_address(std::move(local_media_.address));
  }
  LocalMedia m = local_media_;
  m.port = env_.media_port;
  return m;
}

void Session::respond(txn::TransactionId id, const sip::MessageBuilder& response) {
  auto message = response.build();
  if (message) (void)env_.layer.respond(id, std::move(*message));
}

void Session::on_in_dialog_request(txn::TransactionId id, const sip::Message& request) {
  if (!dialog_->accept_remote_cseq(request.cseq().number)) {
    // §12.2.2: out of order.
    respond(id, sip::response_to(request, 500, "Server Internal Error"));
    return;
  }
  switch (request.method()) {
    case sip::Method::bye: {
      // §15.1.2: the session ends when the BYE arrives; 200 in any case.
      respond(id, sip::response_to(request, 200));
      on_remote_bye();
      return;
    }
    case sip::Method::invite:
      answer_reinvite(id, request);
      return;
    case sip::Method::options:
    case sip::Method::info: {
      auto r = sip::response_to(request, 200);
      r.add(sip::HeaderId::allow, allow);
      respond(id, r);
      return;
    }
    default: {
      auto r = sip::response_to(request, 501);
      r.add(sip::HeaderId::allow, allow);
      respond(id, r);
      return;
    }
  }
}

void Session::answer_reinvite(txn::TransactionId id, const sip::Message& request) {
  if (state_ == CallState::established && refresh_.in_flight) {
    // §14.2: glare with our own re-INVITE in flight (target_refresh.cpp);
    // the peer tries again after its random delay (§14.1).
    respond(id, sip::response_to(request, 491, "Request Pending"));
    return;
  }
  if (state_ != CallState::established || pending_2xx_) {
    // §14.2: an INVITE before the final response to the previous one (the
    // initial INVITE, or a re-INVITE whose 2xx awaits its ACK) gets 500 with
    // Retry-After; 491 is for glare with an INVITE of ours (above).
    auto r = sip::response_to(request, 500, "Server Internal Error");
    r.add(sip::HeaderId::retry_after, retry_after_seconds(env_.layer.new_tag()));
    respond(id, r);
    return;
  }
  std::string body = local_sdp_;
  if (!request.body().empty()) {
    auto answer = build_answer(request.body(), media_for(in_dialog_target()));
    if (!answer) {
      respond(id, sip::response_to(request, 488, "Not Acceptable Here"));
      return;
    }
    if (*answer != local_sdp_) {
      // RFC 3264 §8: the version increments only when the session changes.
      ++local_media_.version;
      answer = build_answer(request.body(), media_for(in_dialog_target()));
      if (!answer) return;
    }
    body = *answer;
    local_sdp_ = body;
  }
  dialog_->refresh_target(request);
  auto r = sip::response_to(request, 200);
  r.add(sip::HeaderId::contact, contact_value(in_dialog_target()));
  r.add(sip::HeaderId::allow, allow);
  r.body("application/sdp", body);
  auto message = r.build();
  if (!message) return;
  (void)env_.layer.respond(id, *message);
  retransmit_2xx(id, std::move(*message), [this] {
    // §13.3.1.4: no ACK for the 2xx within 64*T1: the session ends with BYE.
    send_bye();
    end(408, "no ACK for our 200 to a re-INVITE");
  });
}

void Session::on_remote_bye() {
  end(0, "remote hangup");
}

void Session::on_ack(const sip::Message& ack) {
  // The peer's re-INVITE is done: a target refresh that waited may go.
  if (ack_stops_2xx(ack)) recheck_target();
}

void Session::retransmit_2xx(txn::TransactionId id, sip::Message response,
                             std::function<void()> give_up) {
  const runtime::Duration t1 = env_.timer_config.t1;
  pending_2xx_ = Pending2xx{id, std::move(response), t1, std::move(give_up)};
  // §13.3.1.4: also over a reliable transport, since a later hop may be UDP.
  retransmit_timer_ = env_.timers.start(t1, [this] { on_2xx_timer(); });
  give_up_timer_ = env_.timers.start(64 * t1, [this] {
    retransmit_timer_.cancel();
    if (!pending_2xx_) return;
    auto then = std::move(pending_2xx_->give_up);
    pending_2xx_.reset();
    auto self = shared_from_this();
    if (then) then();
  });
}

void Session::on_2xx_timer() {
  if (!pending_2xx_) return;
  (void)env_.layer.respond(pending_2xx_->txn, pending_2xx_->response);
  pending_2xx_->interval = std::min(2 * pending_2xx_->interval, env_.timer_config.t2);
  retransmit_timer_ = env_.timers.start(pending_2xx_->interval, [this] { on_2xx_timer(); });
}

bool Session::ack_stops_2xx(const sip::Message& ack) {
  if (!pending_2xx_ || ack.cseq().number != pending_2xx_->response.cseq().number) return false;
  pending_2xx_.reset();
  retransmit_timer_.cancel();
  give_up_timer_.cancel();
  return true;
}

}  // namespace sipline::call
