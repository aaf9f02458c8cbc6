// Both configuration loaders. The first byte chooses the dialect (even:
// Yealink .cfg, odd: TOML); the rest is the file's text.
// Invariants: loading never crashes or throws; an error always reads
// "file:line: key: reason" with a line inside the text; a password never
// appears in a message; and whatever loads, written back as TOML, loads
// again to the same accounts (the writer and the loaders agree).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/loader.hpp"
#include "config/toml_loader.hpp"
#include "config/toml_writer.hpp"

namespace {

using sipline::config::Account;
using sipline::config::LoadResult;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// "NAME:LINE: " with LINE between 1 and the number of lines (+1 for a
// parser that points just past the end).
void check_located(const std::string& message, std::string_view name, std::string_view text) {
  check(message.compare(0, name.size() + 1, std::string(name) + ":") == 0);
  const std::size_t digits_end = message.find(':', name.size() + 1);
  check(digits_end != std::string::npos && digits_end > name.size() + 1);
  unsigned long long line = 0;
  for (std::size_t i = name.size() + 1; i < digits_end; ++i) {
    check(message[i] >= '0' && message[i] <= '9');
    line = line * 10 + static_cast<unsigned>(message[i] - '0');
    check(line < (1ull << 32));
  }
  const auto lines =
      static_cast<unsigned long long>(std::count(text.begin(), text.end(), '\n')) + 1;
  check(line >= 1 && line <= lines + 1);
  check(message.compare(digits_end, 2, ": ") == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool yealink = (data[0] & 1) == 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view name = yealink ? "f.cfg" : "f.toml";

  auto loaded = sipline::config::load_config(text, name);
  if (!loaded) {
    check_located(loaded.error().message, name, text);
    return 0;
  }
  for (const std::string& warning : loaded->warnings) check_located(warning, name, text);

  const LoadResult& first = *loaded;
  sipline::config::WriteOptions options;
  options.resolve_inheritance = false;
  const std::string written = sipline::config::write_toml(first.settings, options);
  // Every password line is the placeholder (or empty): the secret itself is
  // never written, whatever it looks like.
  for (std::size_t at = written.find("\npassword = "); at != std::string::npos;
       at = written.find("\npassword = ", at + 1)) {
    const std::string_view value = std::string_view(written).substr(at + 12, 5);
    check(value == "\"***\"" || value.substr(0, 3) == "\"\"\n");
  }
  auto again = sipline::config::load_toml(written, "w.toml");
  check(again.has_value());
  check(again->settings.accounts.size() == first.settings.accounts.size());
  for (std::size_t i = 0; i < first.settings.accounts.size(); ++i) {
    Account copy = again->settings.accounts[i];
    copy.password = first.settings.accounts[i].password;  // written as "***"
    check(copy == first.settings.accounts[i]);
  }
  check(again->settings.timers == first.settings.timers);
  check(again->settings.dns_servers == first.settings.dns_servers);
  return 0;
}
