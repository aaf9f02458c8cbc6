// A fixed amount of parser work for instruction counting (valgrind's
// callgrind, see scripts/bench-instructions): parses every message of the
// corpus N times, and for `full` also calls every accessor that
// `parse_full/sipline` calls. Time-based figures come from sip_bench; this
// one exists because instruction counts do not move with the machine's load.
//
//   sip_parse_count core|full N [CORPUS_DIR]

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "decode_all.hpp"
#include "sip/message.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: sip_parse_count core|full N [CORPUS_DIR]\n";
    return 2;
  }
  const std::string mode = argv[1];
  const bool full = mode == "full";
  if (!full && mode != "core") {
    std::cerr << "sip_parse_count: mode must be core or full\n";
    return 2;
  }
  const long passes = std::strtol(argv[2], nullptr, 10);
  const std::filesystem::path dir = argc > 3 ? argv[3] : SIPLINE_BENCH_CORPUS_DIR;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".sip") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> messages;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    messages.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (messages.empty()) {
    std::cerr << "sip_parse_count: no .sip files in " << dir << '\n';
    return 2;
  }
  for (long pass = 0; pass < passes; ++pass) {
    for (const std::string& bytes : messages) {
      auto m = sipline::sip::Message::parse(bytes);
      if (!m || (full && !sipline::bench::sipline_decode_all(*m))) {
        std::cerr << "sip_parse_count: a message failed\n";
        return 1;
      }
    }
  }
  std::cout << messages.size() << '\n';  // messages per pass, for the script
  return 0;
}
