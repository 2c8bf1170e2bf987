//===- KernelMapping.cpp - how a scan maps onto a GPU kernel --------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/KernelMapping.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::swr;

/// The most warps per sequence that the exact scan picks by itself.
constexpr int64_t kMaxAutoTeam = 4;
/// The largest finite window the kernel keeps in registers.
constexpr int64_t kMaxGpuHops = 8;
/// The most warps of a block that sums one head's gate gradients.
constexpr int64_t kMaxHeadWarps = 16;
/// The most workgroup memory of a block that needs no opt-in (bytes).
constexpr int64_t kMaxWorkgroupBytes = 48 * 1024;

static int64_t byteWidth(Value memref) {
  return cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8;
}

LogicalResult mlir::swr::verifyOptions(const ConvertSwrToGPUOptions &o,
                                       std::string &reason) {
  if (o.warpsPerBlock < 1 || o.warpsPerBlock > 32 || o.warpsPerSequence < 0 ||
      o.warpsPerSequence > 32 || o.vectorsPerLane < 0 || o.vectorsPerLane > 4 ||
      o.prefetchSteps < 0 || o.prefetchSteps > 4 || o.minChunkSteps < 0 ||
      o.targetWarps < 1 || o.channelsPerWarp < 0 || o.channelsPerWarp > 8 ||
      (o.channelsPerWarp > 0 && !llvm::isPowerOf2_64(o.channelsPerWarp)) ||
      o.channelsPerLane < 0 || o.channelsPerLane > 4 || o.timeMajor < -1 ||
      o.timeMajor > 1 || o.positionsInFlight < 0 || o.positionsInFlight > 64 ||
      !llvm::is_contained({0, 4, 8, 16}, o.channelBytes) || o.chainWarps < 0 ||
      o.chainWarps > 32 || o.chainBlocksPerSM < 0 || o.chainBlocksPerSM > 32 ||
      o.lookWindow < -1 || o.lookWindow > 32 || o.lookDepth < 1 ||
      o.lookDepth > 8) {
    reason = "convert-swr-to-gpu: warps-per-block must be in [1, 32], "
             "warps-per-sequence in [0, 32], "
             "vectors-per-lane in [0, 4], prefetch-steps in [0, 4], "
             "min-chunk-steps at least 0, target-warps at least 1, "
             "channels-per-warp 0, 1, 2, 4 or 8, channels-per-lane in [0, 4], "
             "time-major -1, 0 or 1, positions-in-flight in [0, 64], "
             "channel-bytes 0, 4, 8 or 16, "
             "chain-warps and chain-blocks-per-sm in [0, 32], "
             "look-window in [-1, 32], look-depth in [1, 8]";
    return failure();
  }
  if (o.channelsPerWarp > 1 && o.warpsPerSequence > 1) {
    reason = "convert-swr-to-gpu: channels-per-warp > 1 needs one warp per "
             "sequence (warps-per-sequence 0 or 1)";
    return failure();
  }
  return success();
}

/// The stride of dimension `dim` of `memref`, if static.
static std::optional<int64_t> staticStride(Value memref, unsigned dim) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(cast<MemRefType>(memref.getType())
                 .getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(strides[dim]))
    return std::nullopt;
  return strides[dim];
}

/// B * H * D, the scan's channels, where static.
static std::optional<int64_t> staticChannels(const ScanSpec &spec) {
  auto shape = cast<MemRefType>(spec.input.getType()).getShape();
  if (llvm::any_of(shape.take_front(3), ShapedType::isDynamic))
    return std::nullopt;
  return shape[0] * shape[1] * shape[2];
}

/// Whether the scan's input and output are time-major: channels (D) of
/// unit stride, positions (N) not.
static bool isTimeMajor(const ScanSpec &spec) {
  return llvm::all_of(ArrayRef<Value>{spec.input, spec.output}, [](Value v) {
    return staticStride(v, 2) == 1 &&
           !cast<MemRefType>(v.getType()).isLastDimUnitStride();
  });
}

/// The time-major mapping: a thread per vector of channels (`channel-bytes`
/// of the narrowest type), no tile-shape constraints (tiles are counted, not
/// laid on lanes).
static KernelMapping computeTimeMajor(KernelMapping m, const ScanSpec &spec,
                                      const ConvertSwrToGPUOptions &options) {
  m.timeMajor = true;
  // Channels in a 16-byte vector of the narrowest type.
  const int64_t widest = m.vectorElems;
  bool narrowType = widest >= 8;
  bool perChannel = cast<MemRefType>(spec.gates.getType()).getRank() == 4;
  // Warps (segments) per chained block, measured on an H100: 8 ahead of 4
  // by 1 to 12 points of the copy for the exact scan (bench/NOTES.md, "The
  // time-major exact scan, chained"); 4 for hops = 1 with per-head gates of
  // 16-bit types at tiles up to 16 where B * H * D * N is static and at
  // most 2^24 (x of at most 32 MB): ahead of 8 by 5.9 to 7.1 points at
  // B = 1, N = 4096 and by 0.9 to 2.3 at 8192, behind by 1.3 to 1.7 at
  // 32768, in two runs ("Four warps per chained block").
  auto shape = cast<MemRefType>(spec.input.getType()).getShape();
  std::optional<int64_t> channels = staticChannels(spec);
  bool smallInput = channels && !ShapedType::isDynamic(shape[3]) &&
                    *channels * shape[3] <= (int64_t{1} << 24);
  int64_t segments =
      options.chainWarps ? options.chainWarps
      : m.hops == 1 && !perChannel && narrowType && m.tile <= 16 && smallInput
          ? 4
          : 8;
  // Channels per thread with `bytes` of the narrowest type.
  auto elemsOf = [&](int64_t bytes) {
    return std::max<int64_t>(1, widest * bytes / 16);
  };
  // The chained scan (exact, and hops = 1 with chain-windows) holds its
  // segment in registers: about 256 bytes of x and gates per thread, in
  // more positions where the vectors are narrower. The exact scan with
  // per-head gates holds at most 320 bytes of x and gates, in positions by
  // 8 (ptxas, sm_90a: f32 at 8 bytes spills 44 bytes per thread at 32
  // positions, none at 24; bench/NOTES.md, "Narrower channel vectors").
  auto heldOf = [&](int64_t bytes) -> int64_t {
    if (options.positionsInFlight)
      return options.positionsInFlight;
    int64_t held = (perChannel ? 8 : 16) * (widest / elemsOf(bytes));
    if (m.exact && !perChannel) {
      int64_t perPosition =
          elemsOf(bytes) * byteWidth(spec.input) + byteWidth(spec.gates);
      held = std::min<int64_t>(held, 320 / perPosition / 8 * 8);
    }
    return held;
  };
  // Whether B * H * D is static and makes fewer than 32 rows of blocks (of
  // 32 threads) with `bytes` of channels a thread: the chains of blocks are
  // then few and long, and narrower vectors (more rows, shorter chains)
  // measured faster (bench/NOTES.md, "Few rows").
  auto fewRows = [&](int64_t bytes) {
    return channels && *channels < 32 * kWarpSize * elemsOf(bytes);
  };
  // hops = 1 on chained blocks: segments of the largest divisor of the tile
  // up to `held` positions, whole tiles per block; 0: not chained.
  auto tileSegmentOf = [&](int64_t held) -> int64_t {
    if (m.exact || m.hops != 1 || !options.chainWindows)
      return 0;
    int64_t segment = std::min(held, m.tile);
    while (m.tile % segment)
      --segment;
    return segments % (m.tile / segment) ? 0 : segment;
  };
  // By default the chained blocks take narrower vectors, measured on an H100
  // (bench/NOTES.md, "Narrower channel vectors" and "Few rows"): for the
  // exact scan 4 bytes with per-channel gates; with per-head gates 8 for
  // 32-bit types, and for 16-bit types where the rows are few, else 16. For
  // hops = 1, where the tile keeps the blocks chained, 8 bytes, 4 for 16-bit
  // types with per-channel gates where the rows are few (with per-head
  // gates 4 bytes measured within noise of 8, and 1.6 to 1.8 points behind
  // at N = 32768). Warm-up chunks keep 16 (not measured faster).
  int64_t bytes = options.channelBytes;
  if (!bytes) {
    bytes = 16;
    if (m.exact && perChannel)
      bytes = 4;
    else if (m.exact)
      bytes = !narrowType || fewRows(16) ? 8 : 16;
    else if (tileSegmentOf(heldOf(16)) && tileSegmentOf(heldOf(8)))
      bytes = narrowType && perChannel && fewRows(8) && tileSegmentOf(heldOf(4))
                  ? 4
                  : 8;
  }
  int64_t held = heldOf(bytes);
  m.vectorElems = elemsOf(bytes);
  int64_t tileSegment = tileSegmentOf(held);
  // Warm-up chunks keep positions in flight, measured on the H200: 4 (more
  // cost occupancy), 8 for per-channel gates of 16-bit types (a gate vector
  // per position too).
  m.positionsInFlight = m.exact                     ? held
                        : tileSegment               ? tileSegment
                        : options.positionsInFlight ? options.positionsInFlight
                        : perChannel && narrowType  ? 8
                                                    : 4;
  if (m.exact || tileSegment) {
    m.segments = segments;
    // 16 warps per multiprocessor (128 registers a thread), so that a
    // block's phases (loads, look-back, stores) overlap another's; left to
    // itself, ptxas took 128 to 170 registers depending on the look-back's
    // code (bench/NOTES.md, "Look-back without flags or fences").
    m.blocksPerSM = options.chainBlocksPerSM
                        ? options.chainBlocksPerSM
                        : std::max<int64_t>(1, 16 / m.segments);
    m.dependentLaunch = options.dependentLaunch;
    m.ownCarries = !m.exact && options.ownCarries;
    if (m.exact) {
      // The first look's workgroup memory, [window + 1][status words][32]
      // and [window][32] flags, within the 48 KB of static workgroup memory
      // beside the exchange, [segments][map words][32] (TimeMajorKernel:
      // a map is the gate products, per head or per channel, and the
      // states; the status, the map and the prefix).
      int64_t row = 4 * kWarpSize, gates = perChannel ? m.vectorElems : 1;
      int64_t map = gates + m.vectorElems;
      int64_t status = (map + m.vectorElems) * row;
      int64_t spare = 48 * 1024 - segments * map * row - status;
      // By default (-1) a first look of 4 chunks where 16-bit inputs with
      // per-head gates take 8-byte vectors (few rows), measured ahead of
      // none by 1.4 to 3.0 points of the copy there and behind it by 3.0 to
      // 3.3 with 16-byte vectors (H100, bench/NOTES.md, "A polled first
      // look").
      int64_t window = options.lookWindow;
      if (window < 0)
        window = byteWidth(spec.input) < 4 && !perChannel && bytes == 8 ? 4 : 0;
      m.lookWindow = std::clamp<int64_t>(spare / (status + row), 0,
                                         std::min(window, segments));
      m.lookTestMaps = m.lookWindow && options.lookTestMaps;
      m.lookDepth = m.lookWindow ? options.lookDepth : 1;
      m.lookFarPrefix = m.lookDepth > 1 && options.lookFarPrefix;
    }
  }
  m.channelsPerWarp = m.channelsPerLane = 1;
  m.lanes = kWarpSize;
  m.adjacentChannels = true;
  m.elems = m.vectorElems;
  m.span = m.stride = 1;
  m.team = 1;
  m.blockThreads =
      (m.segments ? m.segments : options.warpsPerBlock) * kWarpSize;
  // Threads, or for the chained scan rows (a warp's width) per block.
  m.itemsPerBlock = m.segments ? kWarpSize : m.blockThreads;
  m.tileInStep = false;
  m.lanesPerTile = 1;
  // x and y (channels of unit stride); per-channel gates get vectors only
  // if theirs are too (TimeMajorKernel.cpp decides).
  m.vectorizable = true;
  return m;
}

/// Lays out a head block's sums (KernelMapping::headSlots): a warp's row
/// holds its lanes' sums, that of lane l's position i (scan order) at o +
/// o / 32 with o = l * E + i, so that the warp's stores of one i meet 32
/// banks (E divides 32). After the barrier, `headSumParts` (S) threads add
/// up each of a step's 32 * E positions, over the rows of every S-th warp:
/// S, a power of two dividing the warps, as large as leaves every position
/// a thread; rows S apart in banks by 32 / S so that those loads are
/// conflict-free too. Two rounds of slots where they fit in
/// kMaxWorkgroupBytes, else one round (and a second barrier), else fewer
/// prefetch-steps when they are automatic (`autoDepth`).
static LogicalResult layOutHeadSums(KernelMapping &m, bool autoDepth,
                                    std::string &reason) {
  int64_t warps = m.itemsPerBlock, positions = kWarpSize * m.elems;
  m.headSumParts = 1;
  while (warps % (2 * m.headSumParts) == 0 &&
         2 * m.headSumParts * positions <= m.blockThreads)
    m.headSumParts *= 2;
  int64_t row = positions + llvm::divideCeil(positions, kWarpSize);
  if (m.headSumParts > 1)
    row += llvm::mod(kWarpSize / m.headSumParts - row, kWarpSize);
  m.headRowStride = row;
  auto bytes = [&](int64_t slots) { return slots * warps * row * 4; };
  for (;;) {
    int64_t depth = m.prefetchSteps;
    if (bytes(2 * depth) <= kMaxWorkgroupBytes ||
        bytes(depth) <= kMaxWorkgroupBytes) {
      m.headSlots = bytes(2 * depth) <= kMaxWorkgroupBytes ? 2 * depth : depth;
      return success();
    }
    if (!autoDepth || depth == 1) {
      reason = llvm::formatv(
          "the per-head gate gradient with prefetch-steps = {0} needs {1} "
          "bytes of workgroup memory per block, more than {2}: use fewer "
          "prefetch-steps or vectors-per-lane",
          depth, bytes(depth), kMaxWorkgroupBytes);
      return failure();
    }
    --m.prefetchSteps;
  }
}

FailureOr<KernelMapping>
KernelMapping::compute(const ScanSpec &spec,
                       const ConvertSwrToGPUOptions &options,
                       std::string &reason) {
  KernelMapping m;
  m.forward = !spec.reverse;
  m.exact = spec.hops == WindowAttr::kInfiniteHops;
  m.hops = m.exact ? 0 : spec.hops;
  m.tile = spec.tile;
  // The fewest steps of a chunk: by default (0) 8, but 2 for the chunks of
  // finite windows on the head-major mapping (below).
  m.minChunkSteps = options.minChunkSteps ? options.minChunkSteps : 8;
  m.targetWarps = options.targetWarps;
  int64_t minBytes = std::min(
      {byteWidth(spec.input), byteWidth(spec.output), byteWidth(spec.gates)});
  for (Value v : {spec.savedOutput, spec.gateGrad})
    if (v)
      minBytes = std::min(minBytes, byteWidth(v));
  m.vectorElems = 16 / minBytes;
  if (!m.exact && m.hops > kMaxGpuHops) {
    reason = llvm::formatv("hops = {0} is not supported on the GPU: use at "
                           "most {1}, or inf",
                           m.hops, kMaxGpuHops);
    return failure();
  }
  bool timeMajor = options.timeMajor != 0;
  if (timeMajor && isTimeMajor(spec) && !spec.gateGrad)
    return computeTimeMajor(m, spec, options);
  if (!m.exact && (!llvm::isPowerOf2_64(m.tile) || m.tile < m.vectorElems)) {
    reason = llvm::formatv("tile {0} is not supported on the GPU: it must "
                           "be a power of two of at least {1} for these "
                           "element types (or use hops = inf)",
                           m.tile, m.vectorElems);
    return failure();
  }
  // Per-head gates: by default (0) a lane walks two channels of a head
  // (loading and multiplying their gates once) where that measured faster
  // on the H200 (bench/NOTES.md, "H200: per-head gates"): finite windows
  // with 16-bit inputs; for the backward from the output (hops = inf), of
  // static shapes with long sequences (N >= 8192) and, for 16-bit inputs,
  // many of them (B * H * D >= 4096). The forward exact scan walks one
  // channel per lane with four steps in flight (below), measured ahead of
  // two channels per lane (and two lane groups per warp for 16-bit inputs)
  // with three in every case where those were the default, by 0.4 to 4.8
  // points of the copy (H100, bench/NOTES.md, "Few rows").
  bool perHead = cast<MemRefType>(spec.gates.getType()).getRank() == 3;
  bool narrow = byteWidth(spec.input) < 4;
  // Loads in flight: by default (0) three steps, but one for the backward
  // from the output of 16-bit types, whose extra loads (y) and epilogue
  // (da) then fit 128 registers (measured: bench/NOTES.md, "Backward from
  // the output").
  m.prefetchSteps = options.prefetchSteps     ? options.prefetchSteps
                    : spec.gateGrad && narrow ? 1
                                              : 3;
  // Finite windows split sequences into chunks of at least min-chunk-steps
  // steps: by default 2, measured faster than 4, and 4 than 8, in all 24
  // cases of the benchmark (H100, bench/NOTES.md, "Few rows").
  if (!m.exact && !options.minChunkSteps)
    m.minChunkSteps = 2;
  auto shape = cast<MemRefType>(spec.input.getType()).getShape();
  std::optional<int64_t> channels = staticChannels(spec);
  bool manyLong = !ShapedType::isDynamic(shape[3]) && shape[3] >= 8192 &&
                  (!narrow || (channels && *channels >= 4096));
  bool shareExact = perHead && m.exact && manyLong && spec.gateGrad;
  m.channelsPerLane = options.channelsPerLane;
  if (!perHead)
    m.channelsPerLane = 1;
  else if (m.channelsPerLane == 0)
    m.channelsPerLane = (!m.exact && narrow) || shareExact ? 2 : 1;
  // The exact scan of one channel per lane keeps four steps in flight by
  // default: measured ahead of three by up to 9.5 points of the copy at
  // B = 1, at most 1.8 behind (N = 4096); lanes that walk two channels
  // (channels-per-lane = 2) lost up to 2.4 with four (H100, bench/NOTES.md,
  // "Few rows").
  if (m.exact && !spec.gateGrad && !options.prefetchSteps &&
      m.channelsPerLane == 1)
    m.prefetchSteps = 4;
  // With 16-bit inputs and per-channel gates two steps where the channels
  // are not known to be many (B * H * D < 4096 or dynamic): measured ahead
  // of four by 3.0 to 4.1 points of the copy at B = 1, N = 4096 and by 0.5
  // to 0.9 at longer N in three runs (f32 inputs lost 0.5 to 1.3 with two;
  // H100, bench/NOTES.md, "A polled first look"); at B = 4 (8192 channels)
  // four measured ahead by 1.0, 0.3 and 0.0 points at N = 4096, 8192 and
  // 32768 in three runs side by side ("Four steps at B = 4").
  if (m.exact && !spec.gateGrad && !options.prefetchSteps && !perHead &&
      narrow && byteWidth(spec.gates) < 4 && !(channels && *channels >= 4096))
    m.prefetchSteps = 2;
  // One channel (group) per warp by default: two lane groups per warp lost
  // with the exact scan's new defaults (above).
  m.channelsPerWarp = options.channelsPerWarp ? options.channelsPerWarp : 1;
  // A lane holds `vectors-per-lane` 16-byte vectors of the narrowest type,
  // fewer if a tile is shorter; by default (0) two for the exact scan, whose
  // five shuffle rounds per step they amortize (measured: bench/NOTES.md,
  // v6; for the backward from the output too: "Backward from the output"),
  // but one for f32 lanes that walk several channels (registers); one
  // otherwise.
  int64_t vectors = options.vectorsPerLane;
  if (vectors == 0)
    vectors = m.exact && (narrow || m.channelsPerLane == 1) ? 2 : 1;
  if (!m.exact)
    vectors = std::max<int64_t>(
        1, std::min<int64_t>(vectors, m.tile / m.vectorElems));
  m.elems = vectors * m.vectorElems;
  // A warp may walk several channels side by side, one per lane group.
  m.lanes = kWarpSize / m.channelsPerWarp;
  m.adjacentChannels = options.adjacentChannels || m.channelsPerWarp > 1;
  m.span = m.lanes * m.elems;
  // The exact scan may walk each sequence with a team of warps (a block): a
  // block step is `team` consecutive warp steps. By default (0) the most,
  // up to 4, that leave every warp at least `min-chunk-steps` steps of a
  // sequence of static length (measured: bench/NOTES.md, v8); one for
  // dynamic lengths.
  m.team = 1;
  if (m.channelsPerWarp > 1) {
    // Lane groups walk alone.
  } else if (m.exact && options.warpsPerSequence > 0) {
    m.team = options.warpsPerSequence;
  } else if (m.exact) {
    int64_t n = cast<MemRefType>(spec.input.getType()).getDimSize(3);
    if (!ShapedType::isDynamic(n))
      while (m.team < kMaxAutoTeam &&
             n >= 2 * m.team * m.span * m.minChunkSteps)
        m.team *= 2;
  }
  // Per-head gate gradients: a block of lone warps per head, as many as
  // the head's channel groups (at most kMaxHeadWarps, which keeps the
  // kernel's registers at 128 or fewer; 16 / channels-per-lane when the
  // number of channels is not known).
  if (spec.gateGrad && perHead) {
    m.headBlocks = true;
    // One step in flight, its sums added up after every step: measured
    // faster than two or three (fewer registers, shorter rounds) for f32
    // and bf16 (bench/NOTES.md, "Backward from the output").
    if (options.prefetchSteps == 0)
      m.prefetchSteps = 1;
    m.team = m.channelsPerWarp = 1;
    m.lanes = kWarpSize;
    m.span = m.lanes * m.elems;
    m.adjacentChannels = true;
    int64_t d = shape[2];
    m.itemsPerBlock =
        ShapedType::isDynamic(d)
            ? kMaxHeadWarps / m.channelsPerLane
            : std::min<int64_t>(llvm::divideCeil(d, m.channelsPerLane),
                                kMaxHeadWarps);
  }
  m.stride = m.team * m.span;
  // A block holds `warps-per-block` lone warps, or one team, or one head.
  if (!m.headBlocks)
    m.itemsPerBlock =
        m.team > 1 ? 1 : options.warpsPerBlock * m.channelsPerWarp;
  m.blockThreads = m.itemsPerBlock * m.team * m.lanes;
  if (m.headBlocks &&
      failed(layOutHeadSums(m, options.prefetchSteps == 0, reason)))
    return failure();
  // Tiles that fit in a step are scanned by groups of T / E lanes; longer
  // tiles and the exact scan by the whole warp, with the state of the
  // segment still open carried from step to step.
  m.tileInStep = !m.exact && m.tile <= m.span;
  m.lanesPerTile = m.tileInStep ? m.tile / m.elems : m.lanes;
  m.vectorizable = llvm::all_of(
      ArrayRef<Value>{spec.input, spec.output, spec.gates, spec.savedOutput,
                      spec.gateGrad},
      [](Value v) {
        return !v || cast<MemRefType>(v.getType()).isLastDimUnitStride();
      });
  return m;
}

void KernelMapping::print(llvm::raw_ostream &os) const {
  os << "tile = " << tile << ", hops = ";
  if (exact)
    os << "inf";
  else
    os << hops;
  os << ", " << (forward ? "forward" : "reverse")
     << ", vector-elems = " << vectorElems << ", elems = " << elems
     << ", span = " << span << ", team = " << team << ", stride = " << stride
     << ", items-per-block = " << itemsPerBlock
     << ", block-threads = " << blockThreads
     << ", tile-in-step = " << tileInStep
     << ", lanes-per-tile = " << lanesPerTile
     << ", vectorizable = " << vectorizable
     << ", prefetch-steps = " << prefetchSteps
     << ", min-chunk-steps = " << minChunkSteps
     << ", target-warps = " << targetWarps
     << ", channels-per-warp = " << channelsPerWarp << ", lanes = " << lanes
     << ", channels-per-lane = " << channelsPerLane
     << ", adjacent-channels = " << adjacentChannels;
  if (timeMajor)
    os << ", time-major = 1, positions-in-flight = " << positionsInFlight;
  if (segments)
    os << ", segments = " << segments << ", blocks-per-sm = " << blocksPerSM
       << ", dependent-launch = " << dependentLaunch;
  if (segments && exact)
    os << ", look-window = " << lookWindow;
  if (lookDepth > 1)
    os << ", look-depth = " << lookDepth;
  if (lookFarPrefix)
    os << ", look-far-prefix = 1";
  if (ownCarries)
    os << ", own-carries = 1";
  if (lookTestMaps)
    os << ", look-test-maps = 1";
  if (headBlocks)
    os << ", head-blocks = 1, head-slots = " << headSlots
       << ", head-row-stride = " << headRowStride
       << ", head-sum-parts = " << headSumParts;
}
