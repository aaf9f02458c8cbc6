#include "transport/cares_resolver.hpp"

#include <ares.h>
#include <arpa/nameser.h>

#include <algorithm>
#include <asio/posix/stream_descriptor.hpp>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <utility>

#include "dns/answer_reader.hpp"
#include "dns/ip_literal.hpp"
#include "runtime/asio_access.hpp"

namespace sipline::transport {
namespace {

// Bounds on what one answer is turned into.
constexpr int max_addresses = 64;
constexpr std::size_t max_records = 64;

std::uint32_t ttl_of(int ttl) noexcept {
  return ttl < 0 ? 0U : static_cast<std::uint32_t>(ttl);
}

// c-ares keeps process-wide state that must be set up once (a no-op on
// Linux today, but the API asks for it).
void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

Result<dns::Answer> convert(int status, const unsigned char* abuf, int alen, dns::RecordType type) {
  using dns::Answer;
  if (abuf == nullptr || alen <= 0) {
    abuf = nullptr;
    alen = 0;
  }
  using dns::RecordType;
  std::span<const std::uint8_t> message;
  if (abuf != nullptr && alen > 0) message = {abuf, static_cast<std::size_t>(alen)};
  std::optional<dns::MessageSummary> summary;
  if (!message.empty()) {
    auto s = dns::summarize_response(message, dns::type_code(type));
    if (s) summary = *s;
  }

  Answer answer;
  answer.type = type;
  if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
    answer.status = status == ARES_ENOTFOUND ? Answer::Status::nxdomain : Answer::Status::nodata;
    // RFC 2308 §5: the SOA in the authority section sets the negative TTL;
    // without one the answer is not cached (TTL 0).
    answer.ttl = summary && summary->negative_ttl ? *summary->negative_ttl : 0;
    return answer;
  }
  if (status == ARES_EBADRESP || status == ARES_EFORMERR) {
    return fail(Errc::malformed, std::string("DNS: ") + ares_strerror(status));
  }
  if (status != ARES_SUCCESS) return fail(Errc::io, std::string("DNS: ") + ares_strerror(status));

  int parsed = ARES_SUCCESS;
  switch (type) {
    case RecordType::a: {
      ares_addrttl records[max_addresses];
      int n = max_addresses;
      parsed = ares_parse_a_reply(abuf, alen, nullptr, records, &n);
      if (parsed != ARES_SUCCESS) break;
      std::optional<std::uint32_t> ttl;
      for (int i = 0; i < n; ++i) {
        std::uint8_t bytes[4];
        std::memcpy(bytes, &records[i].ipaddr, 4);
        const std::uint32_t t = ttl_of(records[i].ttl);
        answer.addresses.push_back(
            {dns::to_string(dns::ipv4_from_bytes(bytes)), dns::Family::ipv4, t});
        ttl = ttl ? std::min(*ttl, t) : t;
      }
      answer.ttl = ttl.value_or(0);
      break;
    }
    case RecordType::aaaa: {
      ares_addr6ttl records[max_addresses];
      int n = max_addresses;
      parsed = ares_parse_aaaa_reply(abuf, alen, nullptr, records, &n);
      if (parsed != ARES_SUCCESS) break;
      std::optional<std::uint32_t> ttl;
      for (int i = 0; i < n; ++i) {
        std::uint8_t bytes[16];
        std::memcpy(bytes, records[i].ip6addr._S6_un._S6_u8, 16);
        const std::uint32_t t = ttl_of(records[i].ttl);
        answer.addresses.push_back(
            {dns::to_string(dns::ipv6_from_bytes(bytes)), dns::Family::ipv6, t});
        ttl = ttl ? std::min(*ttl, t) : t;
      }
      answer.ttl = ttl.value_or(0);
      break;
    }
    case RecordType::srv: {
      ares_srv_reply* head = nullptr;
      parsed = ares_parse_srv_reply(abuf, alen, &head);
      if (parsed != ARES_SUCCESS) break;
      for (ares_srv_reply* r = head; r != nullptr && answer.srv.size() < max_records; r = r->next) {
        // c-ares gives the root target "." as an empty name.
        std::string target = r->host != nullptr ? r->host : "";
        if (target.empty()) target = ".";
        answer.srv.push_back({r->priority, r->weight, r->port, std::move(target)});
      }
      ares_free_data(head);
      answer.ttl = summary && summary->answer_ttl ? *summary->answer_ttl : 0;
      break;
    }
    case RecordType::naptr: {
      ares_naptr_reply* head = nullptr;
      parsed = ares_parse_naptr_reply(abuf, alen, &head);
      if (parsed != ARES_SUCCESS) break;
      auto text = [](const unsigned char* s) {
        return s != nullptr ? std::string(reinterpret_cast<const char*>(s)) : std::string();
      };
      for (ares_naptr_reply* r = head; r != nullptr && answer.naptr.size() < max_records;
           r = r->next) {
        answer.naptr.push_back({r->order, r->preference, text(r->flags), text(r->service),
                                text(r->regexp), r->replacement != nullptr ? r->replacement : ""});
      }
      ares_free_data(head);
      answer.ttl = summary && summary->answer_ttl ? *summary->answer_ttl : 0;
      break;
    }
  }
  if (parsed == ARES_ENODATA) {
    // NOERROR without a record of the type (only a CNAME, say): NODATA.
    answer.status = Answer::Status::nodata;
    answer.ttl = summary && summary->negative_ttl ? *summary->negative_ttl : 0;
    answer.addresses.clear();
    return answer;
  }
  if (parsed != ARES_SUCCESS) {
    return fail(Errc::malformed, std::string("DNS: ") + ares_strerror(parsed));
  }
  return answer;
}

}  // namespace

struct CaresResolver::Impl {
  struct Watch {
    Watch(asio::io_context& context, ares_socket_t socket)
        : descriptor(context, socket), fd(socket) {}
    asio::posix::stream_descriptor descriptor;
    ares_socket_t fd;
    bool want_read = false;
    bool want_write = false;
    bool reading = false;
    bool writing = false;
    bool closed = false;
  };
  struct Request {
    Impl* impl;
    std::uint64_t id;
    dns::RecordType type;
  };
  // Kept apart rather than as a Result, which GCC's optimiser misreads as
  // possibly uninitialised when it is moved through a vector.
  struct Completed {
    std::uint64_t id = 0;
    dns::Answer answer;
    std::optional<Error> error;
  };

  void complete(std::uint64_t id, Result<dns::Answer> result) {
    Completed c;
    c.id = id;
    if (result) {
      c.answer = std::move(result).value();
    } else {
      c.error = std::move(result).error();
    }
    completed.push_back(std::move(c));
  }

  explicit Impl(runtime::EventLoop& l) : loop(l), io(runtime::io_context_of(l)) {}

  runtime::EventLoop& loop;
  asio::io_context& io;
  ares_channel channel = nullptr;
  std::map<ares_socket_t, std::shared_ptr<Watch>> watches;
  std::map<std::uint64_t, Callback> pending;
  std::vector<Completed> completed;
  std::uint64_t next_id = 1;
  runtime::Timer timeout_timer;
  runtime::Timer flush_timer;
  bool destroying = false;

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Impl*>(data)->socket_state(fd, readable != 0, writable != 0);
  }

  static void on_reply(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<Request> request(static_cast<Request*>(arg));
    if (status == ARES_EDESTRUCTION || request->impl->destroying) return;
    request->impl->complete(request->id, convert(status, abuf, alen, request->type));
  }

  void socket_state(ares_socket_t fd, bool readable, bool writable) {
    auto it = watches.find(fd);
    if (!readable && !writable) {
      // c-ares is about to close the socket: stop watching, keep the fd.
      if (it == watches.end()) return;
      forget(*it->second);
      watches.erase(it);
      return;
    }
    if (it == watches.end()) {
      it = watches.emplace(fd, std::make_shared<Watch>(io, fd)).first;
    }
    it->second->want_read = readable;
    it->second->want_write = writable;
    arm(it->second);
  }

  static void forget(Watch& watch) noexcept {
    watch.closed = true;
    asio::error_code ignored;
    watch.descriptor.cancel(ignored);
    (void)watch.descriptor.release();
  }

  void arm(const std::shared_ptr<Watch>& w) {
    if (w->want_read && !w->reading) {
      w->reading = true;
      w->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                               [this, w](const asio::error_code& ec) {
                                 w->reading = false;
                                 if (w->closed || ec) return;
                                 if (w->want_read) ares_process_fd(channel, w->fd, ARES_SOCKET_BAD);
                                 after_processing(w);
                               });
    }
    if (w->want_write && !w->writing) {
      w->writing = true;
      w->descriptor.async_wait(asio::posix::stream_descriptor::wait_write,
                               [this, w](const asio::error_code& ec) {
                                 w->writing = false;
                                 if (w->closed || ec) return;
                                 if (w->want_write) {
                                   ares_process_fd(channel, ARES_SOCKET_BAD, w->fd);
                                 }
                                 after_processing(w);
                               });
    }
  }

  void after_processing(const std::shared_ptr<Watch>& w) {
    if (!w->closed) arm(w);
    update_timer();
    flush();
  }

  // Keeps one loop timer on c-ares' next retransmission or timeout deadline.
  void update_timer() {
    timeval tv{};
    if (ares_timeout(channel, nullptr, &tv) == nullptr) {
      timeout_timer.cancel();
      return;
    }
    const auto delay = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
    timeout_timer = loop.start(std::chrono::duration_cast<runtime::Duration>(delay), [this] {
      ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      update_timer();
      flush();
    });
  }

  // Hands finished queries to their callbacks, outside any c-ares call so a
  // callback may start the next query.
  void flush() {
    // Bounded: each pass takes what was there when it started; a callback
    // adds to `completed` only through a query that failed at once.
    for (int pass = 0; pass < 64 && !completed.empty(); ++pass) {
      std::vector<Completed> batch;
      batch.swap(completed);
      for (Completed& c : batch) {
        const auto it = pending.find(c.id);
        if (it == pending.end()) continue;  // cancelled
        Callback callback = std::move(it->second);
        pending.erase(it);
        if (!callback) continue;
        if (c.error) {
          callback(std::move(*c.error));
        } else {
          callback(std::move(c.answer));
        }
      }
    }
    if (!completed.empty()) schedule_flush();
  }

  void schedule_flush() {
    if (flush_timer.armed()) return;
    flush_timer = loop.start(runtime::Duration::zero(), [this] { flush(); });
  }
};

Result<dns::Answer> answer_from_response(int ares_status, std::span<const std::uint8_t> response,
                                         dns::RecordType type) {
  if (response.size() > 65535) return fail(Errc::limit_exceeded, "DNS response too long");
  return convert(ares_status, response.data(), static_cast<int>(response.size()), type);
}

Result<std::string> cares_server_entry(const std::string& text) {
  std::string host = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return fail(Errc::malformed, "DNS server: " + text);
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return fail(Errc::malformed, "DNS server: " + text);
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  const auto ip = dns::parse_ip_literal(host);
  if (!ip) return fail(Errc::malformed, "DNS server is not an IP address: " + text);
  if (!port.empty()) {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoul(port) == 0 || std::stoul(port) > 65535) {
      return fail(Errc::malformed, "DNS server port: " + text);
    }
  }
  std::string out =
      ip->family == dns::Family::ipv6 ? "[" + dns::to_string(*ip) + "]" : dns::to_string(*ip);
  if (!port.empty()) out += ":" + port;
  return out;
}

Result<std::unique_ptr<CaresResolver>> CaresResolver::create(runtime::EventLoop& loop,
                                                             const CaresOptions& options) {
  init_library_once();
  std::string csv;
  for (const std::string& s : options.servers) {
    auto entry = cares_server_entry(s);
    if (!entry) return entry.error();
    if (!csv.empty()) csv += ",";
    csv += *entry;
  }
  auto impl = std::make_unique<Impl>(loop);
  ares_options o{};
  o.sock_state_cb = &Impl::on_socket_state;
  o.sock_state_cb_data = impl.get();
  o.timeout =
      static_cast<int>(std::max<std::chrono::milliseconds::rep>(1, options.timeout.count()));
  o.tries = std::max(1, options.tries);
  const int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  if (const int rc = ares_init_options(&impl->channel, &o, mask); rc != ARES_SUCCESS) {
    return fail(Errc::io, std::string("c-ares: ") + ares_strerror(rc));
  }
  if (!csv.empty()) {
    if (const int rc = ares_set_servers_ports_csv(impl->channel, csv.c_str()); rc != ARES_SUCCESS) {
      ares_destroy(impl->channel);
      return fail(Errc::malformed, std::string("DNS servers: ") + ares_strerror(rc));
    }
  }
  return std::unique_ptr<CaresResolver>(new CaresResolver(std::move(impl)));
}

CaresResolver::CaresResolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CaresResolver::~CaresResolver() {
  impl_->destroying = true;
  impl_->pending.clear();
  impl_->completed.clear();
  // Calls every pending query back with ARES_EDESTRUCTION (ignored) and
  // tells us about the sockets it closes.
  ares_destroy(impl_->channel);
  for (auto& [fd, watch] : impl_->watches) Impl::forget(*watch);
  impl_->watches.clear();
}

dns::Lookup CaresResolver::resolve(const dns::Query& query, Callback callback) {
  const std::uint64_t id = impl_->next_id++;
  impl_->pending.emplace(id, std::move(callback));
  if (!dns::is_valid_domain_name(query.name)) {
    impl_->complete(id, fail(Errc::malformed, "not a DNS name: " + query.name));
  } else {
    auto request = std::make_unique<Impl::Request>(Impl::Request{impl_.get(), id, query.type});
    // c-ares owns the request until on_reply, which may run inside this call
    // (an immediate failure); the result waits in `completed` either way.
    ares_query(impl_->channel, dns::normalize_name(query.name).c_str(), ns_c_in,
               dns::type_code(query.type), &Impl::on_reply, request.release());
    impl_->update_timer();
  }
  if (!impl_->completed.empty()) impl_->schedule_flush();
  return make_lookup(id);
}

std::size_t CaresResolver::watched_sockets() const noexcept {
  return impl_->watches.size();
}

void CaresResolver::cancel_operation(std::uint64_t id) noexcept {
  // c-ares 1.18 cannot cancel one query; its answer is dropped when it comes.
  impl_->pending.erase(id);
}

bool CaresResolver::operation_pending(std::uint64_t id) const noexcept {
  return impl_->pending.find(id) != impl_->pending.end();
}

}  // namespace sipline::transport
