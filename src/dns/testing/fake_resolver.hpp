#pragma once
// A Resolver with recorded answers, for tests of anything that locates
// servers. Answers come back after `latency` on the injected TimerService
// (zero by default: on the next run_due() of a ManualClock), never from
// inside resolve(). A question with no recorded answer gets NXDOMAIN, or the
// error set with fail_unrecorded().

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dns/resolver.hpp"
#include "runtime/clock.hpp"

namespace sipline::dns::testing {

class FakeResolver final : public Resolver {
 public:
  explicit FakeResolver(runtime::TimerService& timers,
                        runtime::Duration latency = runtime::Duration::zero())
      : timers_(timers), latency_(latency) {}
  ~FakeResolver() override = default;

  void set(const Query& query, Result<Answer> answer) {
    recorded_.insert_or_assign(key_of(query), std::move(answer));
  }
  void set_addresses(const std::string& name, std::vector<std::string> v4, std::uint32_t ttl = 300,
                     std::vector<std::string> v6 = {}) {
    set({name, RecordType::a}, addresses(RecordType::a, Family::ipv4, v4, ttl));
    set({name, RecordType::aaaa}, addresses(RecordType::aaaa, Family::ipv6, v6, ttl));
  }
  void set_srv(const std::string& name, std::vector<SrvRecord> records, std::uint32_t ttl = 300) {
    Answer a;
    a.type = RecordType::srv;
    a.ttl = ttl;
    a.srv = std::move(records);
    set({name, RecordType::srv}, std::move(a));
  }
  void set_naptr(const std::string& name, std::vector<NaptrRecord> records,
                 std::uint32_t ttl = 300) {
    Answer a;
    a.type = RecordType::naptr;
    a.ttl = ttl;
    a.naptr = std::move(records);
    set({name, RecordType::naptr}, std::move(a));
  }
  void erase(const Query& query) { recorded_.erase(key_of(query)); }
  void clear() { recorded_.clear(); }

  // Every question fails (a dead server) while set.
  void fail_all(std::optional<Error> error) { fail_all_ = std::move(error); }
  void fail_unrecorded(std::optional<Error> error) { unrecorded_ = std::move(error); }
  void set_latency(runtime::Duration latency) { latency_ = latency; }

  // How often `query` was asked, and all questions in order.
  std::size_t asked(const Query& query) const {
    std::size_t n = 0;
    for (const Query& q : log_)
      if (key_of(q) == key_of(query)) ++n;
    return n;
  }
  const std::vector<Query>& log() const noexcept { return log_; }
  std::size_t in_flight() const noexcept { return pending_.size(); }

  [[nodiscard]] Lookup resolve(const Query& query, Callback callback) override {
    log_.push_back(query);
    const std::uint64_t id = next_id_++;
    Result<Answer> result = answer_for(query);
    pending_.emplace(id, Pending{});
    Pending& p = pending_.at(id);
    p.timer = timers_.start(latency_,
                            [this, id, cb = std::move(callback), r = std::move(result)]() mutable {
                              pending_.erase(id);
                              cb(std::move(r));
                            });
    return make_lookup(id);
  }

  static Answer addresses(RecordType type, Family family, const std::vector<std::string>& list,
                          std::uint32_t ttl) {
    Answer a;
    a.type = type;
    a.ttl = ttl;
    a.status = list.empty() ? Answer::Status::nodata : Answer::Status::ok;
    for (const std::string& s : list) a.addresses.push_back({s, family, ttl});
    return a;
  }
  static Answer negative(RecordType type, Answer::Status status, std::uint32_t ttl) {
    Answer a;
    a.type = type;
    a.status = status;
    a.ttl = ttl;
    return a;
  }

 private:
  using Key = std::pair<std::string, RecordType>;
  struct Pending {
    runtime::Timer timer;
  };
  static Key key_of(const Query& q) { return {normalize_name(q.name), q.type}; }

  Result<Answer> answer_for(const Query& query) const {
    if (fail_all_) return *fail_all_;
    const auto it = recorded_.find(key_of(query));
    if (it != recorded_.end()) return it->second;
    if (unrecorded_) return *unrecorded_;
    return negative(query.type, Answer::Status::nxdomain, 60);
  }

  void cancel_operation(std::uint64_t id) noexcept override { pending_.erase(id); }
  bool operation_pending(std::uint64_t id) const noexcept override {
    return pending_.find(id) != pending_.end();
  }

  runtime::TimerService& timers_;
  runtime::Duration latency_;
  std::map<Key, Result<Answer>> recorded_;
  std::optional<Error> fail_all_;
  std::optional<Error> unrecorded_;
  std::map<std::uint64_t, Pending> pending_;
  std::vector<Query> log_;
  std::uint64_t next_id_ = 1;
};

}  // namespace sipline::dns::testing
