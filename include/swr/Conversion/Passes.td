//===- Passes.td - swr conversion passes -------------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CONVERSION_PASSES_TD
#define SWR_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSwrToSCF : Pass<"convert-swr-to-scf"> {
  let summary = "Lower swr.scan on memrefs to scf loops (CPU path, reference)";
  let description = [{
    Replaces every `swr.scan` on memrefs with `scf.for` loops that compute the
    windowed recurrence exactly as the dialect's formula says, for every
    window, direction, initial state, partial last tile, element type and
    strided layout. For a finite window each tile re-runs the recurrence over
    the `K` tiles before it (a warm-up that writes nothing), so the work is
    `O(N * (K + 1))` per sequence and no position ever multiplies a gate
    outside its own window (NaN and Inf gates propagate exactly as the
    formula says). `hops = inf` is one pass over the sequence.

    `swr.scan` on tensors must be bufferized first (One-Shot Bufferize); the
    pass reports an error for it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def ConvertSwrToGPU : Pass<"convert-swr-to-gpu"> {
  let summary = "Map the decomposed form of swr scans onto one GPU kernel each";
  let description = [{
    Fuses each scan in the form `swr-decompose` produces (`swr.tile_scan`,
    `swr.tile_carry`, `swr.tile_apply` and their scratch buffers, or a lone
    `swr.tile_scan` for windows that carry nothing) into one `gpu.launch`
    that never materializes the local states, prefixes or carries:

    - each warp walks one chunk of one sequence `(b, h, d)` on its own:
      blocks of `warps-per-block` warps share nothing (no shared memory, no
      barrier). With finite hops, sequences are split into chunks of whole
      tiles until there are `target-warps` warps (each chunk at least
      `min-chunk-steps` steps), and the `K` tiles before a chunk are
      recomputed, so warps never wait for each other; with `hops = inf` a
      block of `W` warps walks each sequence (`warps-per-sequence`; by
      default the most, up to 4, that leave each warp `min-chunk-steps`
      steps of a sequence of static length, else 1): a block step is `W`
      consecutive warp steps, and after one barrier per step each warp
      combines the step totals that the warps before it published in
      workgroup memory (`W = 1`: each warp alone, `warps-per-block` per
      block);
    - with per-head gates a lane may walk several channels of one head at
      the same positions (`channels-per-lane`), loading each gate vector
      and computing each gate product once for all of them, and a warp may
      walk several channels side by side, one per group of
      `32 / channels-per-warp` lanes (shuffles stay within a group; the
      groups of a warp walk as many steps as the longest); work items are
      numbered channel fastest (`adjacent-channels`), so that neighbouring
      warps read the same gates at the same time;
    - with `time-major`, operands whose channels have unit stride and whose
      positions do not (`[B, N, H, D]` seen as `[B, H, D, N]`) get a
      mapping of their own: a thread per vector of channels
      (`channel-bytes`, 16 bytes but on chained blocks) walking positions,
      finite windows split into chunks with warm-up tiles; the exact scan
      is a chained scan: a block of 32 channel vectors (a warp's 32
      contiguous vectors per position) by `chain-warps`
      segments of `positions-in-flight` positions held in registers, the
      segments' affine maps combined through workgroup memory, and the
      carry into the block's chunk found by a decoupled look-back over the
      chunks before it (with `look-window`, the block's warps first read
      several of them at once, one each; status words in device memory
      allocated per call, stream-ordered, filled with a sentinel by a kernel
      first); with
      `chain-windows`, hops = 1 runs on the same blocks without warm-up
      tiles: each block publishes its last tile's terminal local state and
      the next block reads it (a look-back of one hop);
    - a step covers `L * E` positions (`L = 32 / channels-per-warp` lanes,
      a whole warp by default): each lane holds `E` consecutive
      positions (`E * bytes = 16 * vectors-per-lane` for the narrowest
      element type, fewer for shorter tiles; by default 2 vectors for
      `hops = inf` and 1 otherwise), loaded and stored with 16-byte vector
      accesses when the innermost stride is statically 1 and the buffers
      are 16-byte aligned (checked at run time; element accesses
      otherwise); the walk is unrolled `prefetch-steps` times and each step,
      after its stores, refills its load registers with the loads of the
      step `prefetch-steps` later, which stay in flight meanwhile;
    - inside a lane the recurrence runs sequentially; a tile of `T / E`
      lanes combines its lanes with `log2(T / E)` rounds of `shfl.up`, and
      each tile gets its rank-1 carry over `K` hops from the previous tiles'
      terminals by `K + 1` indexed shuffles (one for `K = 1`), the step's
      first tile from values saved in registers by the previous step;
      tiles longer than a step, and `hops = inf`, scan the whole warp
      (5 rounds) and carry the open segment's state and the carries from
      step to step in registers.

    `swr.scan_grad` with hops 0 or 1 gets a one-pass kernel of its own (a
    thread per tile); `swr.scan_grad from_output` (hops = inf) is the
    reverse exact scan of `dy` above whose steps end with `da_k = dx_k *
    y_{k-1}` and `dh0 = a_0 dx_0`: per-channel `da` is stored like `dx`;
    per-head `da` is summed by a block per head (a warp per channel group,
    up to 16): each warp stores its sums into its row of workgroup memory
    and, after one barrier per round of `prefetch-steps` steps, every
    thread adds up the rows at one position (no atomics; a second barrier
    where only one round of rows fits); a head with more channel groups
    (checked at run time) gets the scan for `dx` and a second kernel for
    `da`.

    Supported: f32/f16/bf16 operands, per-head and per-channel gates, any
    shape and strided layout, reverse, init; tiles that are powers of two of
    at least one 16-byte vector of the narrowest type (8 positions for
    bf16/f16, 4 for f32), hops 0 to 8 or inf. Anything else is a located error, as
    is a `swr.scan` that was not decomposed.
  }];
  let options = [
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"4",
           "Warps per block (1 to 32); each walks its own chunk">,
    Option<"warpsPerSequence", "warps-per-sequence", "int64_t",
           /*default=*/"0",
           "hops = inf: warps walking each sequence together, as one block "
           "(1 to 32; 1: each warp alone, warps-per-block per block); 0: the "
           "most, up to 4, that leave each warp min-chunk-steps steps of a "
           "static length, else 1">,
    Option<"vectorsPerLane", "vectors-per-lane", "int64_t", /*default=*/"0",
           "16-byte vectors of the narrowest element type per lane and step "
           "(1 to 4; fewer for tiles shorter than that); 0: 2 for hops = inf "
           "(1 for f32 inputs walked several channels per lane), 1 otherwise">,
    Option<"prefetchSteps", "prefetch-steps", "int64_t", /*default=*/"0",
           "Steps whose loads each warp keeps in flight (1 to 4); 0: 3 (4 "
           "for the exact scan of one channel per lane, 2 where its inputs "
           "and per-channel gates are 16-bit), but 1 for the "
           "backward from the output (swr.scan_grad from_output) "
           "of 16-bit types and for its per-head sums (whose workgroup "
           "memory, at most 48 KB, also bounds an explicit value)">,
    Option<"minChunkSteps", "min-chunk-steps", "int64_t", /*default=*/"0",
           "The fewest steps of a warp's walk when finite windows split "
           "sequences into chunks or an exact scan picks warps-per-sequence; "
           "0: 2 for the chunks of finite windows on the head-major mapping "
           "(measured on an H100), 8 otherwise">,
    Option<"targetWarps", "target-warps", "int64_t", /*default=*/"1048576",
           "Finite windows: split sequences into chunks until there are "
           "this many warps">,
    Option<"channelsPerWarp", "channels-per-warp", "int64_t",
           /*default=*/"0",
           "Channels (sequences) a warp walks at once, side by side (1, 2, 4 "
           "or 8): each lane group of 32 / channels-per-warp lanes walks its "
           "own channel (group) of the same head and positions; implies "
           "adjacent-channels; hops = inf only with one warp per sequence. "
           "0: 1">,
    Option<"channelsPerLane", "channels-per-lane", "int64_t",
           /*default=*/"0",
           "Per-head gates: channels of one head each lane walks at once (1 "
           "to 4), loading and multiplying their gates once for all; "
           "per-channel gates walk one. 0: 2 for finite windows with 16-bit "
           "inputs and for the backward from the output (hops = inf) of "
           "static shapes with N >= 8192 (and B * H * D >= 4096 for 16-bit "
           "inputs), 1 otherwise">,
    Option<"adjacentChannels", "adjacent-channels", "bool",
           /*default=*/"true",
           "Number work items channel fastest ((b, h, chunk, d) instead of "
           "(b, h, d, chunk)), so that neighbouring warps walk the same "
           "positions of one head's channels at the same time">,
    Option<"timeMajor", "time-major", "int64_t", /*default=*/"-1",
           "Time-major layouts (channels of unit stride, positions strided: "
           "[B, N, H, D] seen as [B, H, D, N]): 1: each thread owns a "
           "vector of channels (channel-bytes) and walks positions, "
           "sequences split into chunks until there are min(target-warps, 2048) warps, of at "
           "least 8 * min-chunk-steps positions and twice the K tiles of "
           "warm-up; the exact scan, and hops = 1 with chain-windows, as a "
           "chained scan of blocks of 32 channel vectors by chain-warps "
           "segments of positions-in-flight positions, with a decoupled "
           "look-back (hops = 1: of one hop) (TimeMajorKernel.cpp); 0: the "
           "scan kernel, with element accesses; -1 (default): 1">,
    Option<"positionsInFlight", "positions-in-flight", "int64_t",
           /*default=*/"0",
           "The time-major mapping: positions whose loads each thread keeps "
           "in flight (1 to 64); 0: 4, 8 for per-channel gates of 16-bit types "
           "(measured on the H200). The chained scan (exact, and hops = 1 "
           "with chain-windows): positions each thread holds in registers; "
           "0: 16, 8 for per-channel gates, times 16 / channel-bytes, with "
           "per-head gates for the exact scan at most 320 bytes of x and "
           "gates (hops = 1: the largest divisor of the tile up to that)">,
    Option<"channelBytes", "channel-bytes", "int64_t", /*default=*/"0",
           "The time-major mapping: bytes of channels each thread owns, "
           "in the narrowest element type (4, 8 or 16; at least one "
           "channel). Narrower vectors split a head's channels over more "
           "threads, so that the chained scan's blocks of 32 rows hold "
           "fewer channels and, holding the same bytes, more positions: "
           "fewer chunks per sequence. Where positions-in-flight is 0, the "
           "chained scan holds 16 / channel-bytes times its positions. 0: "
           "chosen per case, measured on an H100 (bench/NOTES.md, "
           "\"Narrower channel vectors\", \"Few rows\"): 4 for the exact "
           "scan with per-channel gates, 8 for hops = 1 on chained blocks "
           "(where the tile keeps them chained) and for the exact scan of "
           "32-bit types with per-head gates, 16 elsewhere; where B * H * D "
           "is static and would make fewer than 32 rows of blocks, 4 for "
           "hops = 1 with per-channel gates and 8 for the exact scan of "
           "16-bit types with per-head gates">,
    Option<"chainWarps", "chain-warps", "int64_t", /*default=*/"0",
           "The time-major chained scan: warps per block (1 to 32), each "
           "holding a segment of positions-in-flight positions of the "
           "block's chunk; 0: 8 (measured on an H100: 1 to 12 points of the "
           "copy ahead of 4 for the exact scan), but 4 for hops = 1 with "
           "per-head gates of 16-bit types at tiles up to 16 where "
           "B * H * D * N is static and at most 2^24">,
    Option<"chainWindows", "chain-windows", "bool", /*default=*/"true",
           "The time-major mapping of hops = 1: chained blocks as for the "
           "exact scan (no warm-up tiles: each block publishes its last "
           "tile's terminal local state, the next reads it, one hop) where "
           "the tile is a multiple of a segment and divides the block's "
           "chunk (segments of the largest divisor of the tile up to "
           "positions-in-flight); false: chunks with warm-up tiles">,
    Option<"chainBlocksPerSM", "chain-blocks-per-sm", "int64_t",
           /*default=*/"0",
           "The time-major chained scan: blocks asked for per multiprocessor "
           "(0 to 32; launch bounds: ptxas fits the registers of a thread "
           "to 64K / (blocks * threads per block)); 0: 16 warps' worth, "
           "max(1, 16 / chain-warps) (128 registers)">,
    Option<"lookWindow", "look-window", "int64_t", /*default=*/"-1",
           "The time-major exact scan's first look: chunks before its own "
           "that a block reads at once, one per warp (the map and the prefix "
           "in one round trip, polled until one has arrived, into workgroup "
           "memory), before warp 0 looks back alone past the nearest prefix "
           "among them (0 to 32; at most chain-warps and what 48 KB of "
           "static workgroup memory holds beside the exchange); 0: none, "
           "warp 0 looks back alone; -1 (default): 4 where 16-bit inputs "
           "with per-head gates take 8-byte channel vectors, else 0 "
           "(measured on an H100: bench/NOTES.md)">,
    Option<"lookTestMaps", "look-test-maps", "bool", /*default=*/"false",
           "Testing only: the first look takes the map of every chunk it "
           "reads and leaves its prefix (but the first chunk's, which has "
           "no map), so that runs whose blocks go in order, where every "
           "prefix has arrived (the CPU's, test-swr-gpu-launch-to-loops), "
           "compose the window's maps and walk on past it">,
    Option<"lookDepth", "look-depth", "int64_t", /*default=*/"1",
           "The time-major exact scan's first look: chunks each warp of it "
           "reads (1 to 8): warp s the chunks s * depth + 1 to (s + 1) * "
           "depth before its own, all at once (polled where neither the map "
           "nor the prefix has arrived), composed nearest first up to the "
           "first prefix into one slot, so that the look covers look-window "
           "* depth chunks in one round trip">,
    Option<"lookFarPrefix", "look-far-prefix", "bool", /*default=*/"false",
           "The time-major exact scan's first look with look-depth > 1: each "
           "warp reads the maps of its group's chunks but only the farthest "
           "one's prefix (look-depth maps and one prefix instead of "
           "look-depth of each: fewer registers), and the group ends at that "
           "prefix once the nearer maps have arrived, else composes all the "
           "maps; false: every chunk's map and prefix, the group ending at "
           "the nearest prefix">,
    Option<"ownCarries", "own-carries", "bool", /*default=*/"false",
           "The time-major mapping of hops = 1 on chained blocks: each warp "
           "forms its segment's carry itself once the segments' maps are "
           "exchanged (the first tile's warps read the previous chunk's "
           "terminal, the others compose the maps of the tile before "
           "theirs), so that only the first tile's warps wait for the status "
           "and the rest store at once; false: warp 0 forms every carry and "
           "hands them out after a second barrier (every warp waits for its "
           "look-back)">,
    Option<"dependentLaunch", "dependent-launch", "bool",
           /*default=*/"true",
           "The time-major chained scan: launch it as a programmatic "
           "dependent of the kernel that fills its status (Hopper's "
           "griddepcontrol; the runtime launches kernels named "
           "*_dependent so), so that its blocks load their segments while "
           "the fill runs and only the threads that touch the status wait "
           "for it, before their first access (default: 0.1 to 9 points of "
           "a copy faster on an H100, bench/NOTES.md); false: after the "
           "fill, the ordinary way">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def SwrHostAllocsToGPU : Pass<"swr-host-allocs-to-gpu"> {
  let summary = "Allocate host-side buffers in unified memory for kernels";
  let description = [{
    Replaces `memref.alloc` and `memref.dealloc` outside GPU code with
    `gpu.alloc host_shared` and `gpu.dealloc`, so that buffers that
    bufferization allocates (results of tensor functions, temporaries) are
    reachable from kernels and from the host alike (CUDA managed memory,
    through the runtime's `mgpuMemAlloc`). A buffer returned by a function is
    then unified memory, which the caller frees with the runtime.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def SwrGpuOutlineKernels : Pass<"swr-gpu-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline gpu.launch bodies, keeping the launch bounds kernels "
                "ask for";
  let description = [{
    Upstream's `gpu-kernel-outlining`, run by this pass, keeps no attribute
    of a `gpu.launch`; the number of blocks per multiprocessor a kernel
    emitter asks for (the i32 attribute `swr.min_blocks_per_sm`) must reach
    the outlined `gpu.func` as `nvvm.minctasm` (PTX `.minnctapersm`), the
    only way to bound ptxas's registers for a kernel whose block size is
    known (`.maxntid`, which makes ptxas ignore `-maxrregcount`). So this
    pass names each such launch's kernel (`<function>_bounded_kernel`, made
    unique), outlines every launch with upstream's pass, and sets
    `nvvm.minctasm` on the kernels it named. The chained time-major scan
    asks for `chain-blocks-per-sm` (by default 16 warps' worth: 2 blocks of
    8 warps; bench/NOTES.md, "Look-back without flags or fences").
    A launch marked `swr.dependent_launch` (the chained scan, after the
    kernel that fills its status) gets a kernel whose name ends with
    `SWR_DEPENDENT_KERNEL_SUFFIX` ("_dependent", swr_runtime.h), made
    unique, appended to a name the launch gives: libswr_runtime launches
    such kernels as programmatic dependents of the kernel before them.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect"];
}

def SwrGpuSinkConstants : Pass<"swr-gpu-sink-constants"> {
  let summary = "Move the host's constants into the launches that ask for it";
  let description = [{
    MLIR 22's `gpu-kernel-outlining` passes every value that a launch uses
    from above as a kernel parameter, constants included (canonicalization
    hoists a launch's constants out of its body), so that the kernel reads
    them with `ld.param`: no immediates, no constant folding, a register
    each. This pass moves constants, `memref.dim` and the comparisons and
    selects computed from them alone into each `gpu.launch` that carries
    the unit attribute `swr.sink_constants`, which kernel emitters set where
    measurement says it pays (finite-window scans, f32 time-major scans
    and the backward: bench/NOTES.md, "H200: constants as immediates, per
    kernel" and "Backward"), with upstream's `sinkOperationsIntoLaunchOp`.
    (`gpu-launch-sink-index-computations` does the same for every launch:
    swr-cuda-pipeline's `sink-constants=1`.)
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // SWR_CONVERSION_PASSES_TD
