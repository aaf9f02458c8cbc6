#include "ua/user_agent.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <utility>

#include "auth/digest_client.hpp"
#include "call/call_manager.hpp"
#include "transport/address_watcher.hpp"
#include "txn/transaction_layer.hpp"
#include "ua/call_bridge.hpp"
#include "ua/inbound.hpp"
#include "ua/literal_locator.hpp"
#include "ua/network_monitor.hpp"
#include "ua/rebindable_transport.hpp"
#include "ua/txn_request_sender.hpp"

namespace sipline::ua {

namespace {

std::uint64_t random_u64() {
  // Branches and tags must be unpredictable (RFC 3261 §8.1.1.7, §19.3):
  // std::random_device reads the kernel's generator.
  std::random_device device;
  return (std::uint64_t{device()} << 32) ^ std::uint64_t{device()};
}

txn::TimerConfig timer_config(const config::SipTimers& t) {
  txn::TimerConfig c;
  c.t1 = std::chrono::milliseconds(t.t1_ms);
  c.t2 = std::chrono::milliseconds(t.t2_ms);
  c.t4 = std::chrono::milliseconds(t.t4_ms);
  if (!c.validate()) return txn::TimerConfig{};
  return c;
}

transport::TransportOptions transport_options(const config::Settings& s) {
  transport::TransportOptions o;
  for (auto kind : {sip::TransportKind::udp, sip::TransportKind::tcp}) {
    o.listen.push_back(sip::Target{kind, s.listen_address, s.listen_port, {}});
  }
  o.tls.ca_file = s.tls.ca_file;
  o.tls.ca_dir = s.tls.ca_dir;
  o.tls.cert_file = s.tls.client_cert;
  o.tls.key_file = s.tls.client_key;
  o.tls.verify_server = s.tls.verify_peer;
  return o;
}

}  // namespace

struct UserAgent::Impl final : transport::TransportEvents {
  // One configured, enabled account.
  struct Entry {
    config::Account account;
    std::unique_ptr<reg::RedundancyEngine> engine;
    bool running = false;
    // Set while the engine unregisters: what to do once it is done (start
    // the replacement of a changed account, forget a removed one).
    std::function<void()> after_stop;
    bool stopping = false;
  };

  Impl(config::Settings s, UserAgentOptions o)
      : settings(std::move(s)),
        options(std::move(o)),
        transport(loop, transport_options(settings)),
        layer(loop, transport, random_u64, txn::LayerConfig{timer_config(settings.timers), 8192}),
        sender(layer, transport, loop, timer_config(settings.timers)),
        rng(random_u64()) {
    locator =
        options.make_locator ? options.make_locator(loop) : std::make_unique<LiteralLocator>(loop);
    transport.set_events(this);
    transport.set_stun_handler(&sender.flow_keeper());
    calls = std::make_unique<call::CallManager>(
        call::CallEnv{layer, transport, loop, timer_config(settings.timers),
                      [this](const sip::Target& to) -> std::optional<sip::Target> {
                        auto local = transport.local_address_for(to);
                        if (!local) return std::nullopt;
                        return *local;
                      },
                      [this] { return random_token() + "@sipline"; }, auth::openssl_cnonce_source(),
                      40000},
        [this](const call::CallEvent& e) { on_call_event(e); });
    layer.set_server_handler(txn::ServerHandler{
        [this](txn::TransactionId id, const sip::Message& request, const sip::Target& source) {
          on_request(id, request, source);
        },
        [this](const sip::Message& ack, const sip::Target&) { calls->on_ack(ack); },
        // A ringing call whose INVITE transaction dies ends with it.
        [this](txn::TransactionId id, txn::EndReason reason) {
          calls->on_server_terminated(id, reason);
        }});
  }

  ~Impl() override {
    network.stop();
    // Calls and engines first: they hold handles into the sender, layer
    // and locator.
    calls.reset();
    entries.clear();
    retired.clear();
    transport.set_events(nullptr);
    transport.set_stun_handler(nullptr);
  }

  void log(config::LogLevel level, std::string_view text) const {
    if (options.log) options.log(level, text);
  }

  void watch_network() {
    if (auto watching = network.apply(settings.network); !watching) {
      log(config::LogLevel::warning,
          "cannot watch the host's addresses (" + watching.error().message +
              "); a changed local address is noticed at the next refresh");
    }
  }

  void network_changed() {
    if (!started || stopping) return;
    const std::size_t closed = transport.close_flows_not_from(transport::host_addresses());
    if (closed > 0) {
      log(config::LogLevel::info, "network changed: closed " + std::to_string(closed) +
                                      " connection(s) from addresses the host no longer has");
    } else {
      log(config::LogLevel::debug, "network changed: checking every account's local address");
    }
    for (auto& e : entries) {
      if (e.engine && e.running && !e.stopping) e.engine->network_changed();
    }
    // Established calls whose Contact moved send a re-INVITE (RFC 3261 §14.1).
    calls->network_changed();
  }

  // --- TransportEvents ---
  void on_message(sip::Message message, const sip::Target& source, const sip::Target&) override {
    layer.on_message(std::move(message), source);
  }
  void on_transport_error(const sip::Target& target,
                          const transport::TransportFailure& failure) override {
    log(config::LogLevel::debug, "transport: " + target.address + ":" +
                                     std::to_string(target.port) + ": " +
                                     transport::describe(failure));
    layer.on_transport_error(target, failure.reason);
    // Idle flows of registrations: a closed connection or a missing pong.
    sender.flow_keeper().on_transport_error(target, failure);
  }

  void on_request(txn::TransactionId id, const sip::Message& request, const sip::Target& source) {
    if (call::CallManager::in_dialog(request)) {
      calls->on_request(id, request);  // its dialog, or 481
      return;
    }
    if (request.method() == sip::Method::invite && on_invite(id, request, source)) return;
    bool trusted = false;
    for (const auto& e : entries) {
      if (e.running && e.engine && e.engine->accepts_request_from(source)) trusted = true;
    }
    auto response = inbound_response(request, trusted, layer.new_tag()).build();
    if (!response) return;
    if (response->status_code() == 403) {
      log(config::LogLevel::info, "refused " + std::string(request.method_text()) + " from " +
                                      source.address + ":" + std::to_string(source.port) +
                                      ": not a server we are registered with");
    }
    (void)layer.respond(id, std::move(*response));
  }

  // --- calls ---

  // An INVITE outside a dialog for one of our accounts from a server it is
  // registered with becomes a call; anything else is left to the inbound
  // rules (403 for an untrusted source).
  bool on_invite(txn::TransactionId id, const sip::Message& invite, const sip::Target& source) {
    Entry* match = nullptr;
    std::size_t running = 0;
    Entry* only = nullptr;
    for (auto& e : entries) {
      if (!e.running || !e.engine) continue;
      ++running;
      only = &e;
      if (match == nullptr && invite_is_for(e.account, invite)) match = &e;
    }
    // One account: whatever user the server put in the Request-URI.
    if (match == nullptr && running == 1) match = only;
    if (match == nullptr) {
      // A trusted server asking for a user we do not have (§21.4.5).
      for (auto& e : entries) {
        if (!e.running || !e.engine || !e.engine->accepts_request_from(source)) continue;
        auto r = sip::response_to(invite, 404, {}, layer.new_tag()).build();
        if (r) (void)layer.respond(id, std::move(*r));
        return true;
      }
      return false;
    }
    if (!match->engine->accepts_request_from(source)) return false;
    std::string server;
    auto status = match->engine->status();
    if (status.active_server && *status.active_server < status.servers.size()) {
      server = status.servers[*status.active_server].uri;
    }
    match->engine->call_started();
    const std::string account = match->account.name;
    if (!calls->on_invite(id, invite, source, local_party(match->account), std::move(server))) {
      if (Entry* e = find(account); e != nullptr && e->engine) e->engine->call_ended();
    }
    return true;
  }

  void on_call_event(const call::CallEvent& e) {
    if (e.type == call::CallEventType::ended) {
      // The engine's idle state: failback modes that wait for no calls.
      if (Entry* entry = find(e.account); entry != nullptr && entry->engine) {
        entry->engine->call_ended();
      }
    }
    publish(to_reg_event(e, loop.now()));
  }

  std::string random_token() {
    static constexpr char hex[] = "0123456789abcdef";
    std::string token;
    for (int i = 0; i < 2; ++i) {
      std::uint64_t v = rng();
      for (int j = 0; j < 16; ++j, v >>= 4) token += hex[v & 15];
    }
    return token;
  }

  // --- accounts ---
  Entry* find(std::string_view name) {
    for (auto& e : entries) {
      if (e.account.name == name) return &e;
    }
    return nullptr;
  }

  void publish(const reg::Event& event) {
    // A copy: a sink may (un)subscribe while being called.
    const auto sinks = subscribers;
    for (const auto& [id, sink] : sinks) {
      if (subscribers.contains(id)) sink(event);
    }
  }

  std::unique_ptr<reg::RedundancyEngine> make_engine(const config::Account& account) {
    reg::EngineDeps deps{sender, loop, *locator,
                         [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); },
                         [this] {
                           static constexpr char hex[] = "0123456789abcdef";
                           std::string token;
                           for (int i = 0; i < 2; ++i) {
                             std::uint64_t v = rng();
                             for (int j = 0; j < 16; ++j, v >>= 4) token += hex[v & 15];
                           }
                           return token;
                         }};
    return std::make_unique<reg::RedundancyEngine>(account, settings.dialect, deps,
                                                   [this](const reg::Event& e) { publish(e); });
  }

  void start_entry(Entry& e) {
    if (e.engine) retire(std::move(e.engine));
    e.engine = make_engine(e.account);
    e.running = true;
    e.engine->start();
  }

  // Unregisters the account; `then` runs afterwards (never inside this call).
  void stop_entry(Entry& e, std::function<void()> then) {
    e.after_stop = std::move(then);
    if (!e.running || !e.engine) {
      defer_after_stop(e.account.name);
      return;
    }
    if (e.stopping) return;  // the pending stop will run after_stop
    e.stopping = true;
    const std::string name = e.account.name;
    e.engine->stop([this, name] {
      Entry* entry = find(name);
      if (entry == nullptr) return;
      entry->stopping = false;
      entry->running = false;
      defer_after_stop(name);
    });
  }

  void defer_after_stop(const std::string& name) {
    // Out of the engine's own call stack: after_stop may destroy the engine.
    deferred.push_back(loop.start(runtime::Duration::zero(), [this, name] {
      Entry* entry = find(name);
      if (entry == nullptr || entry->stopping) return;
      auto then = std::move(entry->after_stop);
      entry->after_stop = nullptr;
      if (then) then();
    }));
    std::erase_if(deferred, [](const runtime::Timer& t) { return !t.armed(); });
  }

  // An engine that may still be on the call stack is destroyed later.
  void retire(std::unique_ptr<reg::RedundancyEngine> engine) {
    retired.push_back(std::move(engine));
    reaper = loop.start(runtime::Duration::zero(), [this] { retired.clear(); });
  }

  void remove_entry(const std::string& name) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const Entry& e) { return e.account.name == name; });
    if (it == entries.end()) return;
    if (it->engine) retire(std::move(it->engine));
    entries.erase(it);
  }

  void check_stopped() {
    if (!stop_done) return;
    for (const auto& e : entries) {
      if (e.stopping) return;
    }
    auto done = std::move(stop_done);
    stop_done = nullptr;
    deferred.push_back(loop.start(runtime::Duration::zero(), [done] { done(); }));
  }

  config::Settings settings;
  UserAgentOptions options;
  runtime::EventLoop loop;
  RebindableTransport transport;
  txn::TransactionLayer layer;
  TxnRequestSender sender;
  std::unique_ptr<dns::Locator> locator;
  std::mt19937_64 rng;
  std::vector<Entry> entries;
  std::unique_ptr<call::CallManager> calls;
  NetworkMonitor network{loop, [this] { network_changed(); }};
  std::vector<std::unique_ptr<reg::RedundancyEngine>> retired;
  runtime::Timer reaper;
  std::vector<runtime::Timer> deferred;
  std::map<std::uint64_t, EventSink> subscribers;
  std::uint64_t next_subscriber = 1;
  bool started = false;
  bool stopping = false;
  std::function<void()> stop_done;
};

UserAgent::UserAgent(config::Settings settings, UserAgentOptions options)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(options))) {}

UserAgent::~UserAgent() = default;

runtime::EventLoop& UserAgent::loop() noexcept {
  return impl_->loop;
}

const config::Settings& UserAgent::settings() const noexcept {
  return impl_->settings;
}

Result<void> UserAgent::start() {
  if (impl_->started) return fail(Errc::invalid_state, "already started");
  auto bound = impl_->transport.start();
  if (!bound) return bound;
  impl_->started = true;
  for (const auto& account : impl_->settings.accounts) {
    if (!account.enabled) continue;
    impl_->entries.push_back(Impl::Entry{account, nullptr, false, {}, false});
  }
  for (auto& e : impl_->entries) impl_->start_entry(e);
  impl_->watch_network();
  return ok();
}

void UserAgent::network_changed() {
  impl_->network_changed();
}

void UserAgent::stop(std::function<void()> done) {
  impl_->stopping = true;
  impl_->network.stop();
  impl_->stop_done = done ? std::move(done) : [] {};
  // Calls end before the registrations they go through (BYE, CANCEL, 486).
  for (const auto& e : impl_->entries) impl_->calls->hangup_account(e.account.name);
  for (auto& e : impl_->entries) {
    // Whatever was planned for the account (a replacement) is dropped.
    impl_->stop_entry(e, [this] { impl_->check_stopped(); });
  }
  impl_->check_stopped();
}

bool UserAgent::stopping() const noexcept {
  return impl_->stopping;
}

std::uint64_t UserAgent::subscribe(EventSink sink) {
  const std::uint64_t id = impl_->next_subscriber++;
  impl_->subscribers.emplace(id, std::move(sink));
  return id;
}

void UserAgent::unsubscribe(std::uint64_t id) {
  impl_->subscribers.erase(id);
}

std::vector<reg::AccountStatus> UserAgent::status() const {
  std::vector<reg::AccountStatus> all;
  for (const auto& e : impl_->entries) {
    if (e.engine) {
      all.push_back(e.engine->status());
    } else {
      reg::AccountStatus s;
      s.account = e.account.name;
      all.push_back(std::move(s));
    }
  }
  return all;
}

Result<AccountDiff> UserAgent::reload(config::Settings settings) {
  if (impl_->stopping) return fail(Errc::invalid_state, "stopping");
  Impl& d = *impl_;
  const auto& old = d.settings;
  const bool rebind =
      settings.listen_address != old.listen_address || settings.listen_port != old.listen_port ||
      settings.tls.ca_file != old.tls.ca_file || settings.tls.ca_dir != old.tls.ca_dir ||
      settings.tls.client_cert != old.tls.client_cert ||
      settings.tls.client_key != old.tls.client_key ||
      settings.tls.verify_peer != old.tls.verify_peer;
  if (rebind) {
    // Make before break: the new sockets are bound (and the TLS files
    // loaded) beside the old ones; a failure leaves everything as it was.
    const std::string where = settings.listen_address + ":" + std::to_string(settings.listen_port);
    if (d.started) {
      if (auto bound = d.transport.rebind(transport_options(settings)); !bound) {
        d.log(config::LogLevel::error, "reload: cannot use " + where + ": " +
                                           bound.error().message + " (configuration kept)");
        return fail(bound.error().code,
                    "cannot use " + where + ": " + bound.error().message + " (configuration kept)");
      }
      d.log(config::LogLevel::info, "reload: now listening on " + where +
                                        "; every account registers again (its Contact changed)");
    } else {
      d.transport.reset_options(transport_options(settings));
    }
  }
  AccountDiff diff = diff_accounts(old.accounts, settings.accounts);
  d.settings = std::move(settings);
  if (!d.started) return diff;
  d.watch_network();

  auto account_named = [&](const std::string& name) -> const config::Account* {
    for (const auto& a : d.settings.accounts) {
      if (a.enabled && a.name == name) return &a;
    }
    return nullptr;
  };
  for (const auto& name : diff.removed) {
    if (Impl::Entry* e = d.find(name)) {
      d.stop_entry(*e, [&d, name] { d.remove_entry(name); });
    }
  }
  for (const auto& name : diff.changed) {
    Impl::Entry* e = d.find(name);
    const config::Account* account = account_named(name);
    if (e == nullptr || account == nullptr) continue;
    // Unregister with the old settings first: the new binding may reuse the
    // same Contact, which a late unregister would otherwise remove.
    d.stop_entry(*e, [&d, name, replacement = *account] {
      if (Impl::Entry* entry = d.find(name)) {
        entry->account = replacement;
        d.start_entry(*entry);
      }
    });
  }
  if (rebind) {
    // The Contact of every binding names the old address: unregister it
    // (the client keeps the Contact it registered) and register again
    // through the new sockets.
    for (auto& e : d.entries) {
      const std::string name = e.account.name;
      if (std::find(diff.removed.begin(), diff.removed.end(), name) != diff.removed.end() ||
          std::find(diff.changed.begin(), diff.changed.end(), name) != diff.changed.end() ||
          !e.running) {
        continue;
      }
      d.stop_entry(e, [&d, name] {
        if (Impl::Entry* entry = d.find(name)) d.start_entry(*entry);
      });
    }
    // Calls in progress move their Contact to the new sockets (re-INVITE);
    // those over TCP/TLS lost their connection with the old sockets.
    d.calls->network_changed(/*sockets_replaced=*/true);
  }
  // New accounts go where the configuration puts them.
  for (const auto& name : diff.added) {
    const config::Account* account = account_named(name);
    if (account == nullptr) continue;
    d.entries.push_back(Impl::Entry{*account, nullptr, false, {}, false});
    d.start_entry(d.entries.back());
  }
  std::stable_sort(d.entries.begin(), d.entries.end(), [&](const auto& a, const auto& b) {
    auto position = [&](const std::string& n) {
      for (std::size_t i = 0; i < d.settings.accounts.size(); ++i) {
        if (d.settings.accounts[i].name == n) return i;
      }
      return d.settings.accounts.size();  // removed: at the end until gone
    };
    return position(a.account.name) < position(b.account.name);
  });
  return diff;
}

Result<void> UserAgent::register_account(std::string_view name) {
  if (impl_->stopping) return fail(Errc::invalid_state, "stopping");
  Impl::Entry* e = impl_->find(name);
  if (e == nullptr) return fail(Errc::not_found, "no enabled account named " + std::string(name));
  if (e->stopping) {
    const std::string key(name);
    e->after_stop = [d = impl_.get(), key] {
      if (Impl::Entry* entry = d->find(key)) d->start_entry(*entry);
    };
    return ok();
  }
  if (e->running) return ok();
  impl_->start_entry(*e);
  return ok();
}

Result<void> UserAgent::unregister_account(std::string_view name) {
  if (impl_->stopping) return fail(Errc::invalid_state, "stopping");
  Impl::Entry* e = impl_->find(name);
  if (e == nullptr) return fail(Errc::not_found, "no enabled account named " + std::string(name));
  impl_->stop_entry(*e, {});
  return ok();
}

Result<std::string> UserAgent::place_call(std::string_view account, std::string_view uri) {
  if (impl_->stopping) return fail(Errc::invalid_state, "stopping");
  Impl::Entry* e = nullptr;
  for (auto& entry : impl_->entries) {
    if (account.empty() || entry.account.name == account) {
      e = &entry;
      break;
    }
  }
  if (e == nullptr) {
    return fail(Errc::not_found, account.empty()
                                     ? std::string("no enabled account")
                                     : "no enabled account named " + std::string(account));
  }
  const std::string name = e->account.name;
  Impl* d = impl_.get();
  auto routes = engine_routes(
      [d, name]() -> reg::RedundancyEngine* {
        Impl::Entry* entry = d->find(name);
        return entry != nullptr && entry->running ? entry->engine.get() : nullptr;
      },
      e->account.servers.size());
  if (e->engine) e->engine->call_started();
  auto id = impl_->calls->place(local_party(e->account), std::string(uri), std::move(routes));
  if (!id) {
    if (Impl::Entry* entry = impl_->find(name); entry != nullptr && entry->engine) {
      entry->engine->call_ended();
    }
  }
  return id;
}

Result<void> UserAgent::answer(std::string_view call_id) {
  return impl_->calls->answer(std::string(call_id));
}

Result<void> UserAgent::hangup(std::string_view call_id) {
  return impl_->calls->hangup(std::string(call_id));
}

std::vector<call::CallInfo> UserAgent::calls() const {
  auto all = impl_->calls->calls();
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.since < b.since || (a.since == b.since && a.call_id.size() < b.call_id.size());
  });
  return all;
}

std::vector<sip::Target> UserAgent::local_addresses() const {
  return impl_->transport.local_addresses();
}

}  // namespace sipline::ua
