#include "render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace sipline::app {

namespace {

using nlohmann::json;

json text_or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

template <class T>
json optional_or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

std::int64_t seconds_between(runtime::TimePoint from, runtime::TimePoint to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

std::string field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::optional<std::int64_t> number(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

std::string rfc3339(runtime::SystemTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const auto secs = std::chrono::floor<std::chrono::seconds>(ms);
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (ms - secs).count());
}

runtime::SystemTime wall_time(runtime::TimePoint t, const runtime::TimerService& clock) {
  return clock.system_now() +
         std::chrono::duration_cast<runtime::SystemTime::duration>(t - clock.now());
}

json event_json(const reg::Event& event, const runtime::TimerService& clock) {
  json j = json::object();
  j["time"] =
      rfc3339(event.at == runtime::TimePoint{} ? clock.system_now() : wall_time(event.at, clock));
  j["account"] = event.account;
  j["type"] = std::string(reg::to_string(event.type));
  j["server"] = text_or_null(event.server);
  j["reason"] = text_or_null(event.reason);
  j["failure"] = event.failure == reg::FailureKind::none
                     ? json(nullptr)
                     : json(std::string(reg::to_string(event.failure)));
  j["previous_server"] = text_or_null(event.previous_server);
  j["status_code"] = event.status_code == 0 ? json(nullptr) : json(event.status_code);
  j["next_attempt"] =
      event.next_attempt ? json(rfc3339(wall_time(*event.next_attempt, clock))) : json(nullptr);
  j["expires"] = optional_or_null(event.expires);
  j["call"] = text_or_null(event.call_id);
  j["peer"] = text_or_null(event.peer);
  return j;
}

json call_json(const call::CallInfo& c, const runtime::TimerService& clock) {
  return json{{"call", c.call_id},
              {"account", c.account},
              {"direction", std::string(call::to_string(c.direction))},
              {"state", std::string(call::to_string(c.state))},
              {"peer", c.peer},
              {"server", text_or_null(c.server)},
              {"since", rfc3339(wall_time(c.since, clock))},
              {"since_seconds", seconds_between(c.since, clock.now())}};
}

std::string event_text(const reg::Event& event, const runtime::TimerService& clock) {
  std::string line =
      rfc3339(event.at == runtime::TimePoint{} ? clock.system_now() : wall_time(event.at, clock));
  line += fmt::format(" {} {}", event.account, reg::to_string(event.type));
  if (!event.call_id.empty()) line += fmt::format(" {} with {}", event.call_id, event.peer);
  if (!event.server.empty()) line += " on " + event.server;
  if (!event.previous_server.empty()) line += " (from " + event.previous_server + ")";
  if (event.failure != reg::FailureKind::none) {
    line += fmt::format(" [{}]", reg::to_string(event.failure));
  }
  if (!event.reason.empty()) line += ": " + event.reason;
  if (event.expires) line += fmt::format(", expires in {}s", *event.expires);
  if (event.next_attempt) {
    line += fmt::format(", next attempt in {}",
                        short_duration(std::max<std::int64_t>(
                            0, seconds_between(clock.now(), *event.next_attempt))));
  }
  return line;
}

json status_json(const reg::AccountStatus& s, const runtime::TimerService& clock) {
  const auto now = clock.now();
  json j = json::object();
  j["account"] = s.account;
  j["state"] = std::string(reg::to_string(s.state));
  if (s.active_server && *s.active_server < s.servers.size()) {
    j["server"] = s.servers[*s.active_server].uri;
    j["server_index"] = *s.active_server;
    j["target"] = text_or_null(s.servers[*s.active_server].target);
  } else {
    j["server"] = nullptr;
    j["server_index"] = nullptr;
    j["target"] = nullptr;
  }
  j["role"] = text_or_null(s.role);
  j["since"] = s.since ? json(rfc3339(wall_time(*s.since, clock))) : json(nullptr);
  j["since_seconds"] = s.since ? json(seconds_between(*s.since, now)) : json(nullptr);
  j["expires"] = s.expires_at ? json(rfc3339(wall_time(*s.expires_at, clock))) : json(nullptr);
  j["expires_in"] = s.expires_at ? json(seconds_between(now, *s.expires_at)) : json(nullptr);
  j["next_attempt"] =
      s.next_attempt ? json(rfc3339(wall_time(*s.next_attempt, clock))) : json(nullptr);
  j["next_attempt_in"] =
      s.next_attempt ? json(seconds_between(now, *s.next_attempt)) : json(nullptr);
  j["last_failure"] = s.last_failure == reg::FailureKind::none
                          ? json(nullptr)
                          : json(std::string(reg::to_string(s.last_failure)));
  j["last_failure_reason"] = text_or_null(s.last_failure_reason);
  j["last_failure_at"] =
      s.last_failure_at ? json(rfc3339(wall_time(*s.last_failure_at, clock))) : json(nullptr);
  json servers = json::array();
  for (const auto& server : s.servers) {
    servers.push_back(json{{"uri", server.uri},
                           {"index", server.index},
                           {"target", text_or_null(server.target)},
                           {"health", text_or_null(server.health)},
                           {"registered", server.registered}});
  }
  j["servers"] = std::move(servers);
  j["route_set"] = s.route_set;
  j["contact"] = text_or_null(s.contact);
  return j;
}

std::string short_duration(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  if (seconds < 86400) return fmt::format("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60);
  return fmt::format("{}d{:02}h", seconds / 86400, (seconds % 86400) / 3600);
}

namespace {

// The calls of every account, or nothing when there are none.
std::string calls_table(const json& accounts) {
  std::string out;
  if (!accounts.is_array()) return out;
  for (const auto& a : accounts) {
    if (!a.is_object() || !a.contains("calls") || !a["calls"].is_array()) continue;
    for (const auto& c : a["calls"]) {
      if (!c.is_object()) continue;
      auto since = number(c, "since_seconds");
      out += fmt::format("{:<6}{:<12}{:<10}{:<13}{:<8}{}\n", field(c, "call"), field(c, "account"),
                         field(c, "direction"), field(c, "state"),
                         since ? short_duration(*since) : "-", field(c, "peer"));
    }
  }
  if (out.empty()) return out;
  return fmt::format("\n{:<6}{:<12}{:<10}{:<13}{:<8}{}\n", "CALL", "ACCOUNT", "DIRECTION", "STATE",
                     "FOR", "PEER") +
         out;
}

}  // namespace

std::string status_table(const json& accounts) {
  const std::vector<std::string> header = {"ACCOUNT", "STATE",      "SERVER",      "ROLE",
                                           "SINCE",   "EXPIRES IN", "LAST FAILURE"};
  std::vector<std::vector<std::string>> rows;
  if (accounts.is_array()) {
    for (const auto& a : accounts) {
      if (!a.is_object()) continue;
      std::vector<std::string> row;
      row.push_back(field(a, "account"));
      row.push_back(field(a, "state"));
      const std::string server = field(a, "server");
      row.push_back(server.empty() ? "-" : server);
      const std::string role = field(a, "role");
      row.push_back(role.empty() ? "-" : role);
      auto since = number(a, "since_seconds");
      row.push_back(since ? short_duration(*since) + " ago" : "-");
      auto expires = number(a, "expires_in");
      row.push_back(expires ? short_duration(*expires) : "-");
      std::string failure = field(a, "last_failure");
      const std::string reason = field(a, "last_failure_reason");
      if (!reason.empty()) failure += failure.empty() ? reason : ": " + reason;
      row.push_back(failure.empty() ? "-" : failure);
      rows.push_back(std::move(row));
    }
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    // The last column is not padded: a long reason does not widen the table.
    for (std::size_t i = 0; i + 1 < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  auto put = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  };
  put(header);
  for (const auto& row : rows) put(row);
  if (rows.empty()) out += "(no accounts)\n";
  out += calls_table(accounts);
  return out;
}

}  // namespace sipline::app
