#pragma once
// On-disk cache of event streams converted from an image set, one file per dataset split. The header holds
// the conversion parameters and a fingerprint of the images; a trailing checksum covers the whole file. A
// cache whose parameters or images differ is converted again; a damaged one is rebuilt. Files are written to
// a temporary name and renamed, so a crash never leaves a half-written cache under the real name.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "experiments/datasets/event_stream.hpp"
#include "experiments/datasets/image_dataset.hpp"
#include "experiments/datasets/saccade_emulation.hpp"

namespace qsnn::experiments::datasets {

enum class CacheOutcome {
  hit,                 // read from the cache file
  created,             // no cache file: converted and written
  parameters_changed,  // the file was for other parameters or other images: converted and overwritten
  rebuilt_damaged,     // the file was truncated or failed its checksum: converted and overwritten
};

struct CachedEvents {
  std::vector<EventStream> streams;  // one per image, in the image set's order
  CacheOutcome outcome = CacheOutcome::hit;
};

// Saccade emulation of every image (in parallel; each image's stream depends on that image alone), cached.
CachedEvents saccade_events_cached(const std::filesystem::path& cache_file, const ImageSet& images,
                                   const SaccadeParams& params);

// 64-bit FNV-1a (Fowler, Noll & Vo; IETF draft-eastlake-fnv) of the image set's shape, pixels and labels.
std::uint64_t image_set_fingerprint(const ImageSet& images);

}  // namespace qsnn::experiments::datasets
