//===- KernelMapping.h - how a scan maps onto a GPU kernel ------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The decisions of convert-swr-to-gpu, apart from the IR that carries them
// out: from a scan (its window, direction and operand types) and the pass's
// options, how many positions a lane holds, how warps walk sequences, how
// lanes form tiles. Pure: no IR is built, and `test-swr-kernel-mapping`
// prints it for FileCheck.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CONVERSION_SWRTOGPU_KERNELMAPPING_H
#define SWR_CONVERSION_SWRTOGPU_KERNELMAPPING_H

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"

#include "mlir/IR/Value.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir {
namespace swr {

/// One windowed scan to map onto the GPU, whichever ops it came from.
struct ScanSpec {
  int64_t tile;
  /// Hops, or WindowAttr::kInfiniteHops.
  int64_t hops;
  bool reverse;
  Value gates, input, init, output;
  /// The backward of an exact scan from its output (swr.scan_grad
  /// from_output), fused into this scan, the reverse exact scan of dy
  /// (`input`) into dx (`output`): `gateGrad` (null: none) gets da_k = dx_k
  /// * y_{k-1}, summed over a head's channels for per-head gates, from the
  /// forward's output `savedOutput` and y_{-1} = `forwardInit` (null: 0);
  /// `initGrad` (null: none) gets dh0 = a_0 * dx_0.
  Value savedOutput, forwardInit, gateGrad, initGrad;
};

/// Threads per warp.
constexpr int64_t kWarpSize = 32;

/// How one scan maps onto one kernel (see the pass description).
struct KernelMapping {
  /// The window: tile, hops (0 when `exact`), direction.
  int64_t tile = 0, hops = 0;
  bool exact = false, forward = true;
  /// Positions in one 16-byte vector of the narrowest element type (the
  /// time-major mapping: channels per thread, `channel-bytes` of them).
  int64_t vectorElems = 1;
  /// Channels a warp walks side by side (G), each by a group of 32 / G
  /// lanes; channels each lane walks at once, sharing their (per-head)
  /// gates; whether work items are numbered channel fastest.
  int64_t channelsPerWarp = 1, lanes = 32, channelsPerLane = 1;
  bool adjacentChannels = true;
  /// Positions per lane and step (E), and per lane group step (lanes * E).
  int64_t elems = 1, span = 1;
  /// Warps walking one sequence together (a team; 1 but for exact scans),
  /// and the positions of one block step (team * span).
  int64_t team = 1, stride = 1;
  /// Work items (chunks, or sequences for a team) per block, and threads
  /// per block.
  int64_t itemsPerBlock = 1, blockThreads = 32;
  /// Whether a tile fits in a lane group's step (scanned by `lanesPerTile`
  /// lanes); otherwise the whole group scans and carries the open segment.
  bool tileInStep = false;
  int64_t lanesPerTile = 1;
  /// Whether every operand's innermost stride is statically 1, so that
  /// 16-byte vector accesses may be used (alignment is checked at run time).
  bool vectorizable = false;
  /// Unrolled steps whose loads are in flight; the fewest steps of a chunk;
  /// the warps to split finite windows' sequences into.
  int64_t prefetchSteps = 0, minChunkSteps = 1, targetWarps = 1;
  /// The time-major mapping (TimeMajorKernel.cpp): a thread per vector of
  /// `vectorElems` channels walking positions, `positionsInFlight` of them
  /// loaded ahead (warm-up chunks); `blockThreads` threads per block.
  bool timeMajor = false;
  int64_t positionsInFlight = 0;
  /// The time-major chained scan (the exact scan; hops = 1 with
  /// chain-windows, where the segment divides the tile and the tile the
  /// block's chunk), 0 otherwise: blocks of 32 rows by `segments` warps,
  /// each warp holding `positionsInFlight` positions of the block's chunk
  /// in registers; at least `blocksPerSM` blocks per multiprocessor
  /// (launch bounds).
  int64_t segments = 0;
  int64_t blocksPerSM = 0;
  /// hops = 1 on chained blocks: each warp forms its segment's carry itself
  /// (`own-carries`), with no second barrier.
  bool ownCarries = false;
  /// The chained scan launches as a programmatic dependent of its status
  /// fill (`dependent-launch`).
  bool dependentLaunch = true;
  /// The exact chained scan: chunks before its own a block reads at once in
  /// its first look, one per warp (`look-window`, at most `segments` and
  /// what 48 KB of static workgroup memory holds beside the exchange).
  int64_t lookWindow = 0;
  /// Testing only (`look-test-maps`): the first look leaves the prefixes it
  /// reads (but the first chunk's) and composes the maps.
  bool lookTestMaps = false;
  /// The exact chained scan: chunks each warp of the first look reads and
  /// composes into its slot (`look-depth`; 1 without a first look).
  int64_t lookDepth = 1;
  /// With look-depth > 1: a group reads only its farthest chunk's prefix
  /// (`look-far-prefix`).
  bool lookFarPrefix = false;
  /// Per-head gate gradients (ScanSpec::gateGrad): a block is one head,
  /// `itemsPerBlock` warps, one per group of channelsPerLane channels (the
  /// most a head may have; warps past its channels walk along idle); they
  /// walk in step and sum da through workgroup memory once per round of
  /// prefetch-steps steps.
  bool headBlocks = false;
  /// A head block's sums (ScanKernel.cpp, flushHeadSums): `headSlots` steps
  /// of rows of `headRowStride` floats, a row per warp; each step's total is
  /// added up by `headSumParts` threads per position. Two rounds of slots,
  /// or one round and a second barrier per round where two do not fit.
  int64_t headSlots = 0, headRowStride = 0, headSumParts = 1;

  /// The mapping of `spec` under `options`, or the reason (a sentence) why
  /// the scan cannot run on the GPU.
  static FailureOr<KernelMapping> compute(const ScanSpec &spec,
                                          const ConvertSwrToGPUOptions &options,
                                          std::string &reason);

  /// One line: `key = value` pairs, in declaration order.
  void print(llvm::raw_ostream &os) const;
};

/// Checks the mapping options' ranges; on failure, `reason` says which.
LogicalResult verifyOptions(const ConvertSwrToGPUOptions &options,
                            std::string &reason);

} // namespace swr
} // namespace mlir

#endif // SWR_CONVERSION_SWRTOGPU_KERNELMAPPING_H
