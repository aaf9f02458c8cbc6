#include "simulate_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "config_command.hpp"
#include "exit_codes.hpp"
#include "render.hpp"
#include "sim/fault_script.hpp"

namespace sipline::app {

namespace {

using nlohmann::json;

// The widest event type, "registration_failed".
constexpr std::size_t type_width = 19;

std::string_view type_of(const sim::TimelineEntry& entry) {
  switch (entry.kind) {
    case sim::TimelineEntry::Kind::event:
      return reg::to_string(entry.event.type);
    case sim::TimelineEntry::Kind::fault:
      return "fault";
    case sim::TimelineEntry::Kind::call_started:
      return "call_started";
    case sim::TimelineEntry::Kind::call_ended:
      return "call_ended";
    case sim::TimelineEntry::Kind::address_changed:
      return "address_changed";
  }
  return "fault";
}

std::string pad(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

// What an event says beyond its type and server.
std::string event_details(const reg::Event& e, runtime::TimePoint now, runtime::Duration offset) {
  std::vector<std::string> parts;
  if (!e.previous_server.empty()) parts.push_back("from " + e.previous_server);
  std::string why;
  if (e.failure != reg::FailureKind::none) why = fmt::format("[{}]", reg::to_string(e.failure));
  if (!e.reason.empty()) why += (why.empty() ? "" : " ") + e.reason;
  if (!why.empty()) parts.push_back(why);
  if (e.expires) parts.push_back(fmt::format("expires {}s", *e.expires));
  if (e.next_attempt) {
    parts.push_back("next attempt " + format_offset(offset + (*e.next_attempt - now)));
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "  ") + p;
  return out;
}

std::optional<std::string> read_file(const std::string& path, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << path << ": cannot read the file\n";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    err << path << ": cannot read the file\n";
    return std::nullopt;
  }
  return text.str();
}

json entry_json(const sim::TimelineEntry& entry, const runtime::TimerService& clock) {
  if (entry.kind == sim::TimelineEntry::Kind::event) return event_json(entry.event, clock);
  // The same keys as a registration event (render.hpp), so one reader
  // handles both; "reason" carries the fault or the call's route.
  json j = event_json(reg::Event{}, clock);
  for (auto& [key, value] : j.items()) value = nullptr;
  j["time"] = rfc3339(clock.system_now());
  j["account"] = entry.account.empty() ? json(nullptr) : json(entry.account);
  j["type"] = std::string(type_of(entry));
  j["server"] = entry.server.empty() ? json(nullptr) : json(entry.server);
  j["reason"] = entry.detail.empty() ? json(nullptr) : json(entry.detail);
  return j;
}

}  // namespace

std::string format_offset(runtime::Duration offset) {
  const auto ms = std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(offset).count());
  return fmt::format("+{:02}:{:02}.{:03}", ms / 60000, (ms / 1000) % 60, ms % 1000);
}

std::string timeline_text(const sim::TimelineEntry& entry, std::size_t account_width,
                          std::size_t server_width) {
  const bool is_event = entry.kind == sim::TimelineEntry::Kind::event;
  const std::string account = entry.account.empty() ? "-" : entry.account;
  const std::string server = is_event ? entry.event.server : entry.server;
  const std::string details =
      is_event ? event_details(entry.event, entry.event.at, entry.offset) : entry.detail;
  std::string line = format_offset(entry.offset) + "  " + pad(account, account_width) + "  " +
                     pad(type_of(entry), type_width) + "  ";
  if (details.empty()) return line + (server.empty() ? "-" : server);
  line += pad(server.empty() ? "-" : server, server_width);
  return line + "  " + details;
}

int simulate_command(const SimulateOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = load_config_file(options.config_file);
  if (!loaded) {
    // "file:line: key: reason", exactly as `sipline run` reports it.
    err << loaded.error().message << '\n';
    return exit_usage;
  }
  for (const auto& w : loaded->warnings) err << "warning: " << w << '\n';
  auto text = read_file(options.faults_file, err);
  if (!text) return exit_usage;
  auto script = sim::parse_fault_script(*text, options.faults_file);
  if (!script) {
    err << script.error().message << '\n';
    return exit_usage;
  }
  // The account column is as wide as the longest enabled account's name.
  std::size_t account_width = 1;
  for (const auto& a : loaded->settings.accounts) {
    if (a.enabled) account_width = std::max(account_width, a.name.size());
  }
  sim::SimulationOptions sim_options;
  sim_options.seed = options.seed;
  auto simulator =
      sim::Simulator::create(std::move(loaded->settings), std::move(*script), sim_options);
  if (!simulator) {
    err << simulator.error().message << '\n';
    return exit_usage;
  }
  sim::Simulator& sim = **simulator;
  std::size_t server_width = 1;
  for (const auto& s : sim.servers()) server_width = std::max(server_width, s.uri.size());
  const bool as_json = options.events == "json";
  sim.run([&](const sim::TimelineEntry& entry) {
    if (as_json) {
      out << entry_json(entry, sim.clock()).dump(-1, ' ', false, json::error_handler_t::replace)
          << '\n';
    } else {
      out << timeline_text(entry, account_width, server_width) << '\n';
    }
  });
  out.flush();
  return exit_ok;
}

}  // namespace sipline::app
