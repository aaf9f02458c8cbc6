#include "scripted_registrar.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "auth/auth_params.hpp"
#include "auth/credentials.hpp"
#include "auth/digest.hpp"
#include "sip/builder.hpp"
#include "sip/uri.hpp"

namespace sipline::reg::testing {
namespace {

using namespace std::chrono_literals;

std::string host_port(std::string_view host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string_view::npos;
  std::string out = ipv6 ? "[" + std::string(host) + "]" : std::string(host);
  return out + ":" + std::to_string(port);
}

bool same_uri(std::string_view a, const sip::Uri& b) {
  auto parsed = sip::parse_uri(a);
  return parsed && sip::uri_equivalent(*parsed, b);
}

}  // namespace

runtime::Duration transaction_timeout(const txn::TimerConfig& timers, sip::TransportKind transport,
                                      int retransmit_budget) {
  const runtime::Duration timer_f = timers.timer_f();
  if (sip::is_reliable(transport)) return timer_f;
  const int budget =
      std::clamp(retransmit_budget, 0, static_cast<int>(txn::TimerConfig::max_retransmit_budget));
  runtime::Duration total{};
  runtime::Duration interval = timers.timer_e();
  for (int sent = 0; sent <= budget; ++sent) {
    total += interval;
    interval = txn::next_interval(interval, timers, true);
  }
  return std::min(total, timer_f);
}

// ---------------------------------------------------------------------------
// TargetScript

TargetScript::TargetScript(runtime::ManualClock& clock, std::size_t index)
    : clock_(clock), index_(index) {}

TargetScript& TargetScript::always(Reply reply) {
  always_ = std::move(reply);
  return *this;
}

TargetScript& TargetScript::next(Reply reply) {
  queued_.push_back(std::move(reply));
  return *this;
}

TargetScript& TargetScript::delay(runtime::Duration d) {
  delay_ = d;
  return *this;
}

TargetScript& TargetScript::max_expires(std::uint32_t seconds) {
  max_expires_ = seconds;
  return *this;
}

TargetScript& TargetScript::min_expires(std::uint32_t seconds) {
  min_expires_ = seconds;
  return *this;
}

TargetScript& TargetScript::contact_expires(bool in_contact) {
  contact_expires_ = in_contact;
  return *this;
}

TargetScript& TargetScript::service_route(std::vector<std::string> uris) {
  service_route_ = std::move(uris);
  return *this;
}

TargetScript& TargetScript::path(std::vector<std::string> uris) {
  path_ = std::move(uris);
  return *this;
}

TargetScript& TargetScript::source(std::string host, std::uint16_t port) {
  source_ = std::make_pair(std::move(host), port);
  return *this;
}

TargetScript& TargetScript::require_digest(DigestAccount account) {
  digest_ = std::move(account);
  return *this;
}

TargetScript& TargetScript::no_digest() {
  digest_.reset();
  return *this;
}

TargetScript& TargetScript::expire_nonce() {
  if (!nonce_.empty()) stale_nonces_.push_back(nonce_);
  nonce_ = new_nonce();
  return *this;
}

TargetScript& TargetScript::fresh_nonce_per_challenge(bool on) {
  fresh_nonces_ = on;
  return *this;
}

std::string TargetScript::new_nonce() {
  return "nonce-" + std::to_string(index_) + "-" + std::to_string(++nonces_);
}

TargetScript::Decision TargetScript::handle(const sip::Message& request) {
  Decision decision;
  const Reply& upcoming = peek();
  // Transport-level faults happen before the registrar sees anything.
  if (upcoming.kind == Reply::Kind::refuse || upcoming.kind == Reply::Kind::blackhole) {
    decision.kind = upcoming.kind;
    decision.error = upcoming.error;
    if (!queued_.empty()) queued_.erase(queued_.begin());
    return decision;
  }
  if (digest_) {
    if (auto refusal = check_digest(request)) {
      decision.kind = Reply::Kind::status;
      decision.response = std::move(*refusal);
      return decision;
    }
  }
  Reply reply = peek();
  if (!queued_.empty()) queued_.erase(queued_.begin());
  decision.kind = reply.kind;
  if (reply.kind == Reply::Kind::status) {
    sip::MessageBuilder response = base_response(request, reply.status_code);
    for (const auto& [name, value] : reply.headers) response.add(name, value);
    decision.response = std::move(response);
  } else {
    decision.response = registrar_reply(request);
  }
  return decision;
}

sip::MessageBuilder TargetScript::base_response(const sip::Message& request, int code) {
  const std::string to_tag = "reg" + std::to_string(index_) + "." + std::to_string(++responses_);
  sip::MessageBuilder response = sip::response_to(request, code, {}, to_tag);
  // RFC 3261 §18.2.1 and RFC 3581 §4: the top Via says where the request
  // came from, which differs from sent-by behind a NAT.
  const sip::Via& via = request.top_via();
  const std::uint16_t sent_port = via.sent_by.port.value_or(5060);
  const std::string seen_host = source_ ? source_->first : std::string(via.sent_by.host);
  const std::uint16_t seen_port = source_ ? source_->second : sent_port;
  std::string value = "SIP/2.0/" + std::string(via.transport) + " " +
                      host_port(via.sent_by.host, sent_port) +
                      ";branch=" + std::string(via.branch) + ";received=" + seen_host;
  if (via.rport) value += ";rport=" + std::to_string(seen_port);
  if (via.keep && keep_answer_) value += ";keep=" + std::to_string(*keep_answer_);
  response.set(sip::HeaderId::via, value);
  return response;
}

sip::MessageBuilder TargetScript::challenge(const sip::Message& request, bool stale) {
  ++challenges_;
  if (fresh_nonces_ || nonce_.empty()) nonce_ = new_nonce();
  const DigestAccount& account = *digest_;
  sip::MessageBuilder response = base_response(request, account.proxy ? 407 : 401);
  std::string value = "Digest realm=\"" + account.realm + "\", nonce=\"" + nonce_ +
                      "\", algorithm=" + std::string(auth::to_string(account.algorithm)) +
                      ", qop=\"auth\"";
  if (stale) value += ", stale=true";
  response.add(account.proxy ? sip::HeaderId::proxy_authenticate : sip::HeaderId::www_authenticate,
               value);
  return response;
}

std::optional<sip::MessageBuilder> TargetScript::check_digest(const sip::Message& request) {
  const DigestAccount& account = *digest_;
  const auto header = request.header(account.proxy ? sip::HeaderId::proxy_authorization
                                                   : sip::HeaderId::authorization);
  if (!header) return challenge(request, false);
  auto credentials = auth::parse_credentials(*header);
  if (!credentials) return challenge(request, false);
  const std::string nonce = auth::unquote(credentials->nonce);
  if (nonce_.empty() || nonce != nonce_) {
    const bool stale =
        std::find(stale_nonces_.begin(), stale_nonces_.end(), nonce) != stale_nonces_.end();
    return challenge(request, stale);
  }
  const std::string username = auth::unquote(credentials->username);
  const std::string realm = auth::unquote(credentials->realm);
  const std::string uri = auth::unquote(credentials->uri);
  const std::string cnonce = credentials->cnonce ? auth::unquote(*credentials->cnonce) : "";
  const std::uint32_t nc = credentials->nc.value_or(0);
  std::uint32_t& last_nc = last_nc_[nonce];
  bool valid = username == account.username && realm == account.realm &&
               uri == request.request_uri().raw && credentials->qop == auth::Qop::auth &&
               credentials->algorithm == account.algorithm && nc > last_nc;
  if (valid) {
    auth::DigestInput in;
    in.algorithm = account.algorithm;
    in.qop = auth::Qop::auth;
    in.username = username;
    in.realm = realm;
    in.password = account.password;
    in.nonce = nonce;
    in.cnonce = cnonce;
    in.nc = nc;
    in.method = request.method_text();
    in.digest_uri = uri;
    auto expected = auth::compute_response(in);
    valid = expected && auth::iequals(expected->view(), auth::unquote(credentials->response));
  }
  if (!valid) return challenge(request, false);
  last_nc = nc;
  return std::nullopt;
}

void TargetScript::expire_bindings() {
  const runtime::TimePoint now = clock_.now();
  std::erase_if(bindings_, [now](const Binding& b) { return b.expires_at <= now; });
}

sip::MessageBuilder TargetScript::registrar_reply(const sip::Message& request) {
  // RFC 3261 §10.3, the parts a client can observe.
  expire_bindings();
  auto contacts = request.contacts();
  if (!contacts) return base_response(request, 400);
  auto header_expires = request.expires();
  const std::uint32_t default_expires = header_expires ? *header_expires : 3600;
  const std::string call_id(request.call_id());
  const std::uint32_t cseq = request.cseq().number;
  const runtime::TimePoint now = clock_.now();

  auto find = [this](const sip::ContactValue& c) {
    const auto instance = c.instance();
    return std::find_if(bindings_.begin(), bindings_.end(), [&](const Binding& b) {
      // RFC 5626 §6: the same instance replaces its binding.
      return same_uri(b.contact, c.address.uri) ||
             (instance && !b.instance.empty() && b.instance == *instance);
    });
  };

  // Step 6: "*" removes everything, with Expires: 0 only.
  const bool star = std::any_of(contacts->begin(), contacts->end(),
                                [](const sip::ContactValue& c) { return c.star; });
  if (star) {
    if (!header_expires || *header_expires != 0) return base_response(request, 400);
    bindings_.clear();
  } else {
    // Steps 6-7 before changing anything: Min-Expires, then request order.
    for (const sip::ContactValue& c : *contacts) {
      const std::uint32_t expires = c.expires().value_or(default_expires);
      if (expires != 0 && expires < min_expires_) {
        sip::MessageBuilder response = base_response(request, 423);
        response.add(sip::HeaderId::min_expires, std::to_string(min_expires_));
        return response;
      }
      auto existing = find(c);
      if (existing != bindings_.end() && existing->call_id == call_id && cseq <= existing->cseq) {
        return base_response(request, 500);
      }
    }
    for (const sip::ContactValue& c : *contacts) {
      const std::uint32_t expires = c.expires().value_or(default_expires);
      auto existing = find(c);
      if (expires == 0) {
        if (existing != bindings_.end()) bindings_.erase(existing);
        continue;
      }
      Binding binding;
      binding.contact = std::string(c.address.uri.raw);
      binding.instance = std::string(c.instance().value_or(""));
      binding.call_id = call_id;
      binding.cseq = cseq;
      binding.expires_at = now + std::chrono::seconds(std::min(expires, max_expires_));
      if (existing != bindings_.end()) {
        *existing = std::move(binding);
      } else {
        bindings_.push_back(std::move(binding));
      }
    }
  }

  sip::MessageBuilder response = base_response(request, 200);
  if (flow_timer_) response.add("Flow-Timer", std::to_string(*flow_timer_));
  for (const Binding& b : bindings_) {
    std::string value = "<" + b.contact + ">";
    if (!b.instance.empty()) value += ";+sip.instance=\"" + b.instance + "\"";
    if (contact_expires_) {
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(b.expires_at - now);
      value += ";expires=" + std::to_string(left.count());
    }
    response.add(sip::HeaderId::contact, value);
  }
  if (!contact_expires_) {
    response.add(sip::HeaderId::expires, std::to_string(std::min(default_expires, max_expires_)));
  }
  for (const std::string& uri : path_) response.add(sip::HeaderId::path, "<" + uri + ">");
  for (const std::string& uri : service_route_) {
    response.add(sip::HeaderId::service_route, "<" + uri + ">");
  }
  return response;
}

// ---------------------------------------------------------------------------
// ScriptedRegistrar

class ScriptedRegistrar::Handle final : public PendingRequest {
 public:
  Handle(ScriptedRegistrar* registrar, std::weak_ptr<int> alive, std::uint64_t id)
      : registrar_(registrar), alive_(std::move(alive)), id_(id) {}
  ~Handle() override {
    if (!alive_.expired()) registrar_->forget(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

 private:
  ScriptedRegistrar* registrar_;
  std::weak_ptr<int> alive_;
  std::uint64_t id_;
};

ScriptedRegistrar::ScriptedRegistrar(runtime::ManualClock& clock, txn::TimerConfig timers)
    : clock_(clock), timers_(timers) {}

ScriptedRegistrar::~ScriptedRegistrar() = default;

TargetScript& ScriptedRegistrar::at(const sip::Target& target) {
  for (auto& [t, script] : scripts_) {
    if (t == target) return *script;
  }
  scripts_.emplace_back(target, std::make_unique<TargetScript>(clock_, scripts_.size() + 1));
  return *scripts_.back().second;
}

void ScriptedRegistrar::change_at(runtime::TimePoint when, std::function<void()> change) {
  changes_.push_back(clock_.start(when - clock_.now(), std::move(change)));
}

void ScriptedRegistrar::set_local_address(std::string host, std::uint16_t port) {
  local_host_ = std::move(host);
  local_port_ = port;
}

std::vector<const Exchange*> ScriptedRegistrar::exchanges_to(const sip::Target& target) const {
  std::vector<const Exchange*> out;
  for (const Exchange& e : exchanges_) {
    if (e.target == target) out.push_back(&e);
  }
  return out;
}

LocalAddress ScriptedRegistrar::local_address(const sip::Target& target) {
  return LocalAddress{local_host_, local_port_, target.transport};
}

std::unique_ptr<PendingRequest> ScriptedRegistrar::send(sip::MessageBuilder request,
                                                        const sip::Target& target,
                                                        int retransmit_budget,
                                                        std::function<void(RequestOutcome)> done) {
  const LocalAddress local = local_address(target);
  request.prepend(sip::HeaderId::via,
                  "SIP/2.0/" + std::string(sip::to_string(target.transport)) + " " +
                      host_port(local.host, local.port) + ";branch=z9hG4bK-scripted-" +
                      std::to_string(++branches_) + ";rport" + (offer_keep_ ? ";keep" : ""));
  offer_keep_ = false;
  const std::uint64_t id = next_id_++;
  InFlight& flight = in_flight_[id];
  flight.done = std::move(done);
  runtime::Duration delay = 1ms;

  auto built = request.build();
  if (!built) {
    ADD_FAILURE() << "the client sent a request that does not parse: " << built.error().message
                  << "\n"
                  << request.to_bytes();
    flight.outcome.transport_error = sip::TransportError::unreachable;
  } else {
    TargetScript& script = at(target);
    TargetScript::Decision decision = script.handle(*built);
    Exchange exchange{clock_.now(), target, *built, decision.kind, std::nullopt};
    switch (decision.kind) {
      case Reply::Kind::refuse:
        flight.outcome.transport_error = decision.error;
        break;
      case Reply::Kind::blackhole:
        flight.outcome.timed_out = true;
        delay = transaction_timeout(timers_, target.transport, retransmit_budget);
        break;
      case Reply::Kind::registrar:
      case Reply::Kind::status: {
        auto response = decision.response->build();
        if (!response) {
          ADD_FAILURE() << "scripted response does not parse: " << response.error().message;
          flight.outcome.timed_out = true;
        } else {
          exchange.response = *response;
          flight.outcome.response = std::move(*response);
        }
        delay = script.delay_;
        break;
      }
    }
    exchanges_.push_back(std::move(exchange));
  }
  flight.timer = clock_.start(delay, [this, id] { deliver(id); });
  return std::make_unique<Handle>(this, alive_, id);
}

void ScriptedRegistrar::deliver(std::uint64_t id) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;
  // Taken out first: `done` may destroy its handle or send the next request.
  auto done = std::move(it->second.done);
  RequestOutcome outcome = std::move(it->second.outcome);
  in_flight_.erase(it);
  if (done) done(std::move(outcome));
}

void ScriptedRegistrar::forget(std::uint64_t id) {
  if (!deliver_after_abandon_) in_flight_.erase(id);
}

TargetScript& TargetScript::flow_timer(std::optional<std::uint32_t> seconds) {
  flow_timer_ = seconds;
  return *this;
}

TargetScript& TargetScript::keep_answer(std::optional<std::uint32_t> seconds) {
  keep_answer_ = seconds;
  return *this;
}

std::unique_ptr<PendingRequest> ScriptedRegistrar::send_with_options(
    sip::MessageBuilder request, const sip::Target& target, int retransmit_budget,
    const SendOptions& options, std::function<void(RequestOutcome)> done) {
  offer_keep_ = options.offer_keep;
  return send(std::move(request), target, retransmit_budget, std::move(done));
}

namespace {
class ScriptedWatch final : public FlowWatch {
 public:
  explicit ScriptedWatch(std::shared_ptr<ScriptedRegistrar::FlowWatchRecord> record)
      : record_(std::move(record)) {}
  ~ScriptedWatch() override { record_->active = false; }
  ScriptedWatch(const ScriptedWatch&) = delete;
  ScriptedWatch& operator=(const ScriptedWatch&) = delete;

 private:
  std::shared_ptr<ScriptedRegistrar::FlowWatchRecord> record_;
};
}  // namespace

std::unique_ptr<FlowWatch> ScriptedRegistrar::watch_flow(const sip::Target& target,
                                                         const FlowKeepAlive& keepalive,
                                                         std::function<void(FlowLoss)> lost) {
  auto record = std::make_shared<FlowWatchRecord>();
  record->target = target;
  record->keepalive = keepalive;
  record->lost = std::move(lost);
  watches_.push_back(record);
  return std::make_unique<ScriptedWatch>(record);
}

std::vector<const ScriptedRegistrar::FlowWatchRecord*> ScriptedRegistrar::active_watches(
    const sip::Target& target) const {
  std::vector<const FlowWatchRecord*> out;
  for (const auto& w : watches_) {
    if (w->active && w->target == target) out.push_back(w.get());
  }
  return out;
}

void ScriptedRegistrar::lose_flow(const sip::Target& target, const FlowLoss& loss) {
  const auto all = watches_;  // a handler may add watches
  for (const auto& w : all) {
    if (w->active && w->target == target && w->lost) w->lost(loss);
  }
}

}  // namespace sipline::reg::testing
