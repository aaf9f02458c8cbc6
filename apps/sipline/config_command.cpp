#include "config_command.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <memory>
#include <ostream>
#include <string_view>

#include "config/toml_writer.hpp"
#include "exit_codes.hpp"

namespace sipline::app {
namespace {

// Far above any real configuration; config::load_config() refuses more.
constexpr std::size_t max_file_size = std::size_t{2} << 20;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct RawFile {
  std::string text;
  bool readable_by_others = false;
};

Result<RawFile> read_file(const std::string& path) {
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) return fail(Errc::io, path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return fail(Errc::io, path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail(Errc::io, path + ": not a regular file");
  RawFile raw;
  raw.readable_by_others = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
  char chunk[16 * 1024];
  while (raw.text.size() <= max_file_size) {  // bounded by the cap
    const ssize_t got = ::read(file.fd, chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::io, path + ": " + std::strerror(errno));
    }
    if (got == 0) break;
    raw.text.append(chunk, static_cast<std::size_t>(got));
  }
  return raw;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

int load_or_report(const std::string& path, std::ostream& err, config::LoadResult& loaded) {
  auto result = load_config_file(path);
  if (!result) {
    err << result.error().message << '\n';
    return exit_usage;
  }
  for (const std::string& warning : result->warnings) err << "warning: " << warning << '\n';
  loaded = std::move(*result);
  return exit_ok;
}

}  // namespace

Result<config::LoadResult> load_config_file(const std::string& path) {
  auto raw = read_file(path);
  if (!raw) return raw.error();
  auto loaded = config::load_config(raw->text, path);
  if (!loaded) return loaded.error();
  bool has_password = false;
  for (const auto& account : loaded->settings.accounts) {
    has_password = has_password || !account.password.empty();
  }
  if (raw->readable_by_others && has_password) {
    loaded->warnings.push_back(
        path + ": holds passwords but is readable by group or others (chmod 600 " + path + ")");
  }
  return loaded;
}

int config_check(const std::string& path, std::ostream& out, std::ostream& err) {
  config::LoadResult loaded;
  if (int status = load_or_report(path, err, loaded); status != exit_ok) return status;
  config::WriteOptions options;
  options.resolve_inheritance = true;
  options.header = "# Effective configuration of " + path +
                   "\n# (defaults and inheritance resolved; passwords shown as \"***\")";
  out << config::write_toml(loaded.settings, options);
  return exit_ok;
}

int config_convert(const std::string& path, std::ostream& out, std::ostream& err) {
  if (!ends_with(path, ".cfg")) {
    err << path << ": error: convert expects a Yealink provisioning file ending in .cfg\n";
    return exit_usage;
  }
  config::LoadResult loaded;
  if (int status = load_or_report(path, err, loaded); status != exit_ok) return status;
  config::WriteOptions options;
  options.resolve_inheritance = false;
  options.header =
      "# Converted from " + path +
      " by `sipline config convert`.\n# Passwords are not copied: replace each \"***\".";
  out << config::write_toml(loaded.settings, options);
  return exit_ok;
}

void register_config_commands(CLI::App& app) {
  CLI::App* config = app.add_subcommand("config", "Check and convert configuration files");
  config->require_subcommand(1);

  auto check_file = std::make_shared<std::string>();
  CLI::App* check = config->add_subcommand(
      "check",
      "Validate FILE (.toml native, .cfg Yealink) and print the effective configuration as TOML,\n"
      "with defaults and inheritance resolved. Errors read FILE:LINE: key: reason.\n"
      "Exit status: 0 valid, 2 invalid or unreadable.");
  check->add_option("FILE", *check_file, "Configuration file")->required();
  check->callback([check_file] {
    // main() returns from the parse; the status travels in the exception
    // CLI11 reserves for that (it prints nothing).
    throw CLI::RuntimeError(config_check(*check_file, std::cout, std::cerr));
  });

  auto convert_file = std::make_shared<std::string>();
  CLI::App* convert = config->add_subcommand(
      "convert",
      "Convert a Yealink provisioning FILE.cfg to native TOML on standard output.\n"
      "Keys sipline does not use are listed on standard error. Exit status: 0 converted,\n"
      "2 invalid or unreadable.");
  convert->add_option("FILE", *convert_file, "Yealink .cfg file")->required();
  convert->callback([convert_file] {
    // main() returns from the parse; the status travels in the exception
    // CLI11 reserves for that (it prints nothing).
    throw CLI::RuntimeError(config_convert(*convert_file, std::cout, std::cerr));
  });
}

}  // namespace sipline::app
