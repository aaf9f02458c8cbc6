// Parser and serializer benchmarks: sipline beside sofia-sip and oSIP on one
// corpus of realistic messages (bench/corpus/*.sip). Every benchmark walks the
// whole corpus once per iteration, so the figures of different libraries are
// directly comparable; bytes/s counts the corpus bytes.
//
//   parse_full/<lib>  parse and decode every header the library knows
//   parse_core/sipline  Message::parse only (core fields eager, rest lazy)
//   serialize/<lib>   an already-parsed message back to a byte string
//   scan/memchr       find every line end: the physical lower bound
//
// Before timing, each benchmark checks that every message parses (and, for
// serialize, that the output parses again); a failure aborts that benchmark
// with SkipWithError so that no figure is ever reported for work not done.

#include <benchmark/benchmark.h>
#include <osipparser2/osip_parser.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/su_alloc.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "decode_all.hpp"
#include "sip/builder.hpp"
#include "sip/message.hpp"

namespace {

namespace sip = sipline::sip;
using sip::HeaderId;
using sipline::bench::sipline_decode_all;

struct Corpus {
  std::vector<std::string> names;
  std::vector<std::string> messages;
  std::int64_t bytes = 0;
};

Corpus load_corpus() {
  const char* env = std::getenv("SIPLINE_BENCH_CORPUS");
  const std::filesystem::path dir = env != nullptr ? env : SIPLINE_BENCH_CORPUS_DIR;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".sip") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  Corpus corpus;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(std::filesystem::file_size(file)), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!in) {
      std::cerr << "sip_bench: cannot read " << file << '\n';
      std::exit(2);
    }
    corpus.bytes += static_cast<std::int64_t>(bytes.size());
    corpus.names.push_back(file.filename().string());
    corpus.messages.push_back(std::move(bytes));
  }
  if (corpus.messages.empty()) {
    std::cerr << "sip_bench: no .sip files in " << dir << '\n';
    std::exit(2);
  }
  return corpus;
}

const Corpus& corpus() {
  static const Corpus loaded = load_corpus();
  return loaded;
}

// One su_home for every sofia-sip string allocation, created once.
su_home_t* sofia_home() {
  static su_home_t* home = su_home_create();
  return home;
}

void set_rates(benchmark::State& state) {
  const auto& c = corpus();
  state.SetBytesProcessed(state.iterations() * c.bytes);
  state.counters["msgs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(c.messages.size()),
      benchmark::Counter::kIsRate);
}

// ---- sipline ------------------------------------------------------------

void parse_full_sipline(benchmark::State& state) {
  const auto& c = corpus();
  for (std::size_t i = 0; i < c.messages.size(); ++i) {
    auto m = sip::Message::parse(c.messages[i]);
    if (!m || !sipline_decode_all(*m)) {
      const std::string why = m ? "a typed accessor failed" : m.error().message;
      state.SkipWithError(("sipline rejects " + c.names[i] + ": " + why).c_str());
      return;
    }
  }
  std::int64_t failures = 0;
  for (auto _ : state) {
    for (const std::string& bytes : c.messages) {
      auto m = sip::Message::parse(bytes);
      if (!m || !sipline_decode_all(*m)) ++failures;
      benchmark::DoNotOptimize(&m);
    }
  }
  if (failures > 0) state.SkipWithError("sipline: a parse failed while timing");
  set_rates(state);
}

void parse_core_sipline(benchmark::State& state) {
  const auto& c = corpus();
  std::int64_t failures = 0;
  for (auto _ : state) {
    for (const std::string& bytes : c.messages) {
      auto m = sip::Message::parse(bytes);
      if (!m) ++failures;
      benchmark::DoNotOptimize(&m);
    }
  }
  if (failures > 0) state.SkipWithError("sipline: a parse failed");
  set_rates(state);
}

// sip::serialize() writes the start line and every header field as
// received (byte-exact), so the output of an unchanged message is its input.
void serialize_sipline(benchmark::State& state) {
  const auto& c = corpus();
  std::vector<sip::Message> parsed;
  for (std::size_t i = 0; i < c.messages.size(); ++i) {
    auto m = sip::Message::parse(c.messages[i]);
    if (!m) {
      state.SkipWithError(("sipline rejects " + c.names[i]).c_str());
      return;
    }
    if (sip::serialize(*m) != m->bytes()) {
      state.SkipWithError(("sipline serialize differs from its input: " + c.names[i]).c_str());
      return;
    }
    parsed.push_back(std::move(*m));
  }
  for (auto _ : state) {
    for (const sip::Message& m : parsed) {
      std::string out = sip::serialize(m);
      benchmark::DoNotOptimize(out.data());
    }
  }
  set_rates(state);
}

// ---- sofia-sip ----------------------------------------------------------

struct MsgDestroy {
  void operator()(msg_t* m) const noexcept { msg_destroy(m); }
};
using MsgPtr = std::unique_ptr<msg_t, MsgDestroy>;

// msg_make() with the default SIP class parses every header sofia-sip knows
// into its structure (unknown ones are kept as name/value); a header that
// fails to parse is recorded as an extract error, which we count as failure.
MsgPtr sofia_parse(const std::string& bytes) {
  MsgPtr m(msg_make(sip_default_mclass(), 0, bytes.data(), static_cast<ssize_t>(bytes.size())));
  if (!m || msg_extract_errors(m.get()) != 0) return nullptr;
  const sip_t* s = sip_object(m.get());
  if (s == nullptr || s->sip_error != nullptr || s->sip_call_id == nullptr) return nullptr;
  return m;
}

void parse_full_sofia(benchmark::State& state) {
  const auto& c = corpus();
  for (std::size_t i = 0; i < c.messages.size(); ++i) {
    if (!sofia_parse(c.messages[i])) {
      state.SkipWithError(("sofia-sip rejects " + c.names[i]).c_str());
      return;
    }
  }
  std::int64_t failures = 0;
  for (auto _ : state) {
    for (const std::string& bytes : c.messages) {
      MsgPtr m = sofia_parse(bytes);
      if (!m) ++failures;
      benchmark::DoNotOptimize(m.get());
    }
  }
  if (failures > 0) state.SkipWithError("sofia-sip: a parse failed while timing");
  set_rates(state);
}

// msg_as_string() encodes every header afresh from its parsed structure
// through the header class's print function (it does not reuse the received
// text), then the payload: a real re-serialization.
void serialize_sofia(benchmark::State& state) {
  const auto& c = corpus();
  std::vector<MsgPtr> parsed;
  for (std::size_t i = 0; i < c.messages.size(); ++i) {
    MsgPtr m = sofia_parse(c.messages[i]);
    if (!m) {
      state.SkipWithError(("sofia-sip rejects " + c.names[i]).c_str());
      return;
    }
    std::size_t len = 0;
    char* text = msg_as_string(sofia_home(), m.get(), nullptr, 0, &len);
    const bool reparses = text != nullptr && sofia_parse(std::string(text, len)) != nullptr;
    su_free(sofia_home(), text);
    if (!reparses) {
      state.SkipWithError(("sofia-sip output does not parse again: " + c.names[i]).c_str());
      return;
    }
    parsed.push_back(std::move(m));
  }
  std::int64_t failures = 0;
  for (auto _ : state) {
    for (const MsgPtr& m : parsed) {
      std::size_t len = 0;
      char* text = msg_as_string(sofia_home(), m.get(), nullptr, 0, &len);
      if (text == nullptr) ++failures;
      benchmark::DoNotOptimize(text);
      su_free(sofia_home(), text);
    }
  }
  if (failures > 0) state.SkipWithError("sofia-sip: msg_as_string failed");
  set_rates(state);
}

// ---- oSIP ---------------------------------------------------------------

struct OsipFree {
  void operator()(osip_message_t* m) const noexcept { osip_message_free(m); }
};
using OsipPtr = std::unique_ptr<osip_message_t, OsipFree>;

void osip_release(char* text) noexcept {
  if (text != nullptr) osip_free(text);
}

// osip_message_parse() decodes the headers oSIP knows (Via, From, To,
// Contact, Route, Record-Route, CSeq, Call-ID, Content-*, authentication
// headers...) into structures; the others are kept as name/value.
OsipPtr osip_parse(const std::string& bytes) {
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return nullptr;
  OsipPtr m(raw);
  if (osip_message_parse(m.get(), bytes.data(), bytes.size()) != 0) return nullptr;
  return m;
}

void parse_full_osip(benchmark::State& state) {
  const auto& c = corpus();
  for (std::size_t i = 0; i < c.messages.size(); ++i) {
    if (!osip_parse(c.messages[i])) {
      state.SkipWithError(("oSIP rejects " + c.names[i]).c_str());
      return;
    }
  }
  std::int64_t failures = 0;
  for (auto _ : state) {
    for (const std::string& bytes : c.messages) {
      OsipPtr m = osip_parse(bytes);
      if (!m) ++failures;
      benchmark::DoNotOptimize(m.get());
    }
  }
  if (failures > 0) state.SkipWithError("oSIP: a parse failed while timing");
  set_rates(state);
}

// oSIP caches the text a message was parsed from and osip_message_to_str()
// would return a copy of it; osip_message_force_update() marks the message
// modified so that every header is printed again from its structure.
void serialize_osip(benchmark::State& state) {
  const auto& c = corpus();
  std::vector<OsipPtr> parsed;
  for (std::size_t i = 0; i < c.messages.size(); ++i) {
    OsipPtr m = osip_parse(c.messages[i]);
    if (!m) {
      state.SkipWithError(("oSIP rejects " + c.names[i]).c_str());
      return;
    }
    char* text = nullptr;
    std::size_t len = 0;
    osip_message_force_update(m.get());
    const bool printed = osip_message_to_str(m.get(), &text, &len) == 0;
    const bool reparses = printed && osip_parse(std::string(text, len)) != nullptr;
    osip_release(text);
    if (!reparses) {
      state.SkipWithError(("oSIP output does not parse again: " + c.names[i]).c_str());
      return;
    }
    parsed.push_back(std::move(m));
  }
  std::int64_t failures = 0;
  for (auto _ : state) {
    for (const OsipPtr& m : parsed) {
      char* text = nullptr;
      std::size_t len = 0;
      osip_message_force_update(m.get());
      if (osip_message_to_str(m.get(), &text, &len) != 0) ++failures;
      benchmark::DoNotOptimize(text);
      osip_release(text);
    }
  }
  if (failures > 0) state.SkipWithError("oSIP: osip_message_to_str failed");
  set_rates(state);
}

// ---- reference ----------------------------------------------------------

void scan_memchr(benchmark::State& state) {
  const auto& c = corpus();
  for (auto _ : state) {
    std::size_t lines = 0;
    for (const std::string& bytes : c.messages) {
      const char* p = bytes.data();
      const char* end = p + bytes.size();
      while (p < end) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (nl == nullptr) break;
        p = static_cast<const char*>(nl) + 1;
        ++lines;
      }
    }
    benchmark::DoNotOptimize(lines);
  }
  set_rates(state);
}

}  // namespace

int main(int argc, char** argv) {
  if (parser_init() != 0) {
    std::cerr << "sip_bench: oSIP parser_init failed\n";
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  benchmark::RegisterBenchmark("parse_full/sipline", parse_full_sipline);
  benchmark::RegisterBenchmark("parse_full/sofia_sip", parse_full_sofia);
  benchmark::RegisterBenchmark("parse_full/osip2", parse_full_osip);
  benchmark::RegisterBenchmark("parse_core/sipline", parse_core_sipline);
  benchmark::RegisterBenchmark("serialize/sipline", serialize_sipline);
  benchmark::RegisterBenchmark("serialize/sofia_sip", serialize_sofia);
  benchmark::RegisterBenchmark("serialize/osip2", serialize_osip);
  benchmark::RegisterBenchmark("scan/memchr", scan_memchr);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  su_home_unref(sofia_home());
  return 0;
}
