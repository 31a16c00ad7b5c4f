#include "bench/shared_state.hpp"

#include <new>

#include <sys/mman.h>

namespace herald::bench {

shared_region create_shared_region(std::size_t worker_count, std::uint64_t max_seqs) {
  shared_region r;
  auto align = [](std::size_t n) { return (n + 63) & ~std::size_t{63}; };
  std::size_t header_bytes = align(sizeof(shared_header));
  std::size_t workers_bytes = align(sizeof(worker_block) * worker_count);
  std::size_t total = header_bytes + workers_bytes + static_cast<std::size_t>(max_seqs) + 1;
  void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    return r;
  auto* bytes = static_cast<char*>(base);
  r.base = base;
  r.bytes = total;
  r.header = new (bytes) shared_header{};
  r.workers = reinterpret_cast<worker_block*>(bytes + header_bytes);
  for (std::size_t i = 0; i < worker_count; ++i)
    new (r.workers + i) worker_block{};
  r.worker_count = worker_count;
  r.seq_status = reinterpret_cast<std::uint8_t*>(bytes + header_bytes + workers_bytes);
  r.max_seqs = max_seqs;
  return r;
}

void destroy_shared_region(shared_region& region) {
  if (region.base != nullptr)
    munmap(region.base, region.bytes);
  region = shared_region{};
}

} // namespace herald::bench
