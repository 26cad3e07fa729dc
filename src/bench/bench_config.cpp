// `alertgate bench --write-config`: a daemon configuration whose every alert reaches the
// bench's embedded sink, and the tokens file the load generator reads.
#include <openssl/sha.h>

#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <system_error>

#include "alertgate/bench/bench_driver.hpp"

namespace alertgate::bench {

namespace {

std::string sha256_hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f);
}

}  // namespace

Result<std::vector<TenantToken>> read_tokens_file(const std::filesystem::path& path) {
  std::ifstream f(path);
  if (!f) return unexpected(Error{fmt::format("{}: cannot open", path.string())});
  std::vector<TenantToken> out;
  std::string line;
  for (int number = 1; std::getline(f, line); ++number) {
    std::istringstream words(line);
    TenantToken t;
    std::string extra;
    if (!(words >> t.tenant_id) || t.tenant_id.front() == '#') continue;
    if (!(words >> t.token) || (words >> extra && extra.front() != '#')) {
      return unexpected(Error{
          fmt::format("{}:{}: expected \"tenant_id token\" (two words)", path.string(), number)});
    }
    out.push_back(std::move(t));
  }
  if (out.empty()) return unexpected(Error{fmt::format("{}: no tokens", path.string())});
  return out;
}

Result<bool> write_bench_config(const BenchConfigOptions& o) {
  if (o.tenants == 0 || o.tenants > 100'000) {
    return unexpected(Error{"--tenants must be 1..100000"});
  }
  if (o.sink_url.rfind("http://", 0) != 0) {
    return unexpected(Error{"--sink-url must be an http:// URL (the bench's --sink-listen)"});
  }
  std::error_code ec;
  std::filesystem::create_directories(o.dir / "tenants", ec);
  if (ec) return unexpected(Error{fmt::format("{}: {}", o.dir.string(), ec.message())});

  std::string main = fmt::format(
      "# Written by `alertgate bench --write-config`: every alert of {} bench tenant(s) goes\n"
      "# to one webhook at {}.\n"
      "listen: [\"{}\"]\nthreads: {}\ntenants_dir: tenants\ndata_dir: data\nlog_level: warn\n"
      "max_tenants: {}\nlimits:\n  max_queue_per_tenant: 1000000\n",
      o.tenants, o.sink_url, o.listen, o.threads, std::max(o.tenants, 10U));
  if (!o.durability.empty()) main += fmt::format("durability: {}\n", o.durability);
  if (!write_file(o.dir / "alertgate.yaml", main)) {
    return unexpected(Error{fmt::format("{}: cannot write", (o.dir / "alertgate.yaml").string())});
  }

  std::string tokens = "# tenant_id token (alertgate bench --tokens-file)\n";
  for (unsigned i = 1; i <= o.tenants; ++i) {
    const std::string id = fmt::format("bench-{:04}", i);
    const std::string token = fmt::format("{}-token", id);
    tokens += fmt::format("{} {}\n", id, token);
    // group_by "..." makes every alert its own group, notified at once (group_wait 0s),
    // as the Alertmanager of bench/compare.sh is configured.
    const std::string policy = fmt::format(
        "tenant_id: \"{}\"\ntokens: [\"sha256:{}\"]\nrules:\n"
        "  - group_by: [\"...\"]\n    group_wait: 0s\n    group_interval: 1s\n"
        "    destinations:\n      - type: \"webhook\"\n        url: \"{}\"\n",
        id, sha256_hex(token), o.sink_url);
    const auto file = o.dir / "tenants" / fmt::format("{}.yaml", id);
    if (!write_file(file, policy)) {
      return unexpected(Error{fmt::format("{}: cannot write", file.string())});
    }
  }
  if (!write_file(o.dir / "tokens.txt", tokens)) {
    return unexpected(Error{fmt::format("{}: cannot write", (o.dir / "tokens.txt").string())});
  }
  return true;
}

}  // namespace alertgate::bench
