// TokenTable: bearer token → tenant. Built once per policy snapshot; read-only afterwards,
// so any thread may call find() concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alertgate/tenant_policy.hpp"

namespace alertgate {

using TenantIndex = std::uint32_t;

class TokenTable {
 public:
  // A digest added twice keeps its first tenant (load_tenants_dir already refuses that).
  void add(const TokenDigest& digest, TenantIndex tenant);

  // Hashes `token` with SHA-256 and looks it up; the final comparison is constant-time.
  std::optional<TenantIndex> find(std::string_view token) const;

 private:
  struct DigestHash {
    std::size_t operator()(const TokenDigest& d) const noexcept;
  };
  // CRYPTO_memcmp: every key comparison takes the same time whatever the bytes.
  struct DigestEqual {
    bool operator()(const TokenDigest& a, const TokenDigest& b) const noexcept;
  };
  std::unordered_map<TokenDigest, TenantIndex, DigestHash, DigestEqual> by_digest_;
};

// The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive,
// surrounding spaces/tabs ignored), or nullopt for another scheme, an empty token or a
// token with whitespace inside. The view points into `authorization`.
std::optional<std::string_view> bearer_token(std::string_view authorization);

}  // namespace alertgate
