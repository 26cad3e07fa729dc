#include "alertgate/token_table.hpp"

#include <cstdlib>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace alertgate {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

TokenDigest sha256(std::string_view data) {
  // Runs once per request. OpenSSL 3's one-shot EVP_Digest(EVP_sha256()) fetches the
  // algorithm (a global read lock) and allocates a context every call: 278 ns here. A
  // digest fetched once and a context per thread: 75 ns.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free);
  TokenDigest out{};
  unsigned int size = 0;
  if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &size) != 1 || size != out.size()) {
    std::abort();  // only fails when OpenSSL itself is broken
  }
  return out;
}

std::optional<TokenDigest> parse_token_digest(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.size() != kPrefix.size() + 64 || text.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  text.remove_prefix(kPrefix.size());
  TokenDigest d{};
  for (std::size_t i = 0; i < d.size(); ++i) {
    const int hi = hex_value(text[2 * i]);
    const int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return d;
}

std::size_t TokenTable::DigestHash::operator()(const TokenDigest& d) const noexcept {
  // A SHA-256 digest is already uniformly distributed.
  std::size_t h = 0;
  std::memcpy(&h, d.data(), sizeof h);
  return h;
}

bool TokenTable::DigestEqual::operator()(const TokenDigest& a,
                                         const TokenDigest& b) const noexcept {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void TokenTable::add(const TokenDigest& digest, TenantIndex tenant) {
  by_digest_.emplace(digest, tenant);
}

std::optional<TenantIndex> TokenTable::find(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  // Looking up the digest, not the token, means timing can tell an attacker at most
  // something about SHA-256 outputs; DigestEqual keeps the final comparison constant-time.
  const auto it = by_digest_.find(sha256(token));
  if (it == by_digest_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  while (!authorization.empty() && is_blank(authorization.front())) authorization.remove_prefix(1);
  while (!authorization.empty() && is_blank(authorization.back())) authorization.remove_suffix(1);
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  if (!is_blank(token.front())) return std::nullopt;  // "Bearerxyz"
  while (!token.empty() && is_blank(token.front())) token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  for (char c : token) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return std::nullopt;
  }
  return token;
}

}  // namespace alertgate
