#include "support/jwt_signer.hpp"

#include <array>
#include <chrono>
#include <stdexcept>

#include <openssl/evp.h>

namespace herald::test_support {

std::string base64url(std::string_view bytes) {
  static constexpr char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(alphabet[(n >> shift) & 63]);
  }
  auto rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = byte(i) << 16;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(alphabet[(n >> 6) & 63]);
  }
  return out;
}

std::string sign_jwt(std::string_view header_json, std::string_view payload_json,
                     std::string_view secret) {
  auto signed_part = base64url(header_json) + "." + base64url(payload_json);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t mac_size = 0;
  // The OpenSSL 3 one-shot MAC API; the server uses the older HMAC().
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                 reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
                 mac.data(), mac.size(), &mac_size))
    throw std::runtime_error("EVP_Q_mac failed");
  return signed_part + "."
         + base64url({reinterpret_cast<const char*>(mac.data()), mac_size});
}

std::string sign_hs256(std::string_view payload_json, std::string_view secret) {
  return sign_jwt(R"({"alg":"HS256","typ":"JWT"})", payload_json, secret);
}

std::string claims_json(std::string_view sub, int64_t exp, std::string_view extra) {
  return "{\"sub\":\"" + std::string{sub} + "\",\"exp\":" + std::to_string(exp)
         + std::string{extra} + "}";
}

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace herald::test_support
