//===- SwrOps.td - swr operation definitions ---------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWROPS_TD
#define SWR_DIALECT_SWR_IR_SWROPS_TD

include "swr/Dialect/Swr/IR/SwrAttrs.td"
include "swr/Dialect/Swr/IR/SwrInterfaces.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// A ranked tensor or a ranked memref; element types and shapes are checked
/// by the op verifiers, which give more precise messages than ODS could.
def Swr_TensorOrMemRef : AnyTypeOf<[AnyRankedTensor, AnyMemRef],
                                   "ranked tensor or memref">;

def Swr_ScanOp : Swr_Op<"scan", [DestinationStyleOpInterface]> {
  let summary = "Windowed first-order linear recurrence (sliding window scan)";
  let description = [{
    Computes, for every `(b, h, d)` and position `t` of the sequence,

    ```
    y_t = sum_{s = lo(t)}^{t} (prod_{k = s+1}^{t} a_k) * x_s
    lo(t) = max(0, T * (floor(t / T) - K))
    ```

    where `T` and `K` are the window's tile and hops. `hops = inf` is the
    exact recurrence `y_t = a_t * y_{t-1} + x_t`.

    Operands (logical shapes, any strided layout for memrefs):
    - `gates` (`a`): `[B, H, N]` (one gate per head) or `[B, H, D, N]`;
    - `input` (`x`): `[B, H, D, N]`;
    - optional `init` (`h0`): `[B, H, D]`, acting as `x_{-1}` in tile -1: it
      adds `(prod_{k=0}^{t} a_k) * h0` to every `y_t` whose window reaches
      tile -1;
    - `output` (`y`): `[B, H, D, N]`, the destination.

    With `reverse`, the op computes the transpose (adjoint) of the forward
    operator, as used for `dx` in a backward pass:

    ```
    z_s = sum_{t = s}^{hi(s)} (prod_{k = s+1}^{t} a_k) * x_t
    hi(s) = min(N - 1, T * (floor(s / T) + K + 1) - 1)
    ```

    and `init` mirrors the forward case: it is the state entering from the
    right, at position `N` with a unit gate, in the tile after the last one
    (tile `ceil(N / T)`). It adds `(prod_{k=s+1}^{N-1} a_k) * init` to every
    `z_s` whose window reaches that tile (`floor(s / T) + K >= ceil(N / T)`).

    Element types are f32, f16 or bf16 (independently per operand);
    arithmetic is f32. On tensors the op returns the updated destination; on
    memrefs it writes `output` in place and returns nothing, and `output`
    must not overlap `gates`, `input` or `init` (a window re-reads inputs of
    earlier tiles after their outputs are written). One-Shot Bufferize never
    makes them overlap.

    ```mlir
    %y = swr.scan <tile = 16, hops = 1>
           ins(%a, %x : tensor<2x4x8x100xf32>, tensor<2x4x8x100xbf16>)
           outs(%out : tensor<2x4x8x100xf32>) -> tensor<2x4x8x100xf32>
    swr.scan <tile = 32, hops = inf> reverse
           ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32>)
           init(%h0 : memref<?x?x?xf32>)
           outs(%y : memref<?x?x?x?xf32>)
    ```
  }];

  let arguments = (ins Swr_WindowAttr:$window,
                       UnitAttr:$reverse,
                       Swr_TensorOrMemRef:$gates,
                       Swr_TensorOrMemRef:$input,
                       Optional<Swr_TensorOrMemRef>:$init,
                       Swr_TensorOrMemRef:$output);
  let results = (outs Optional<AnyRankedTensor>:$result);

  let assemblyFormat = [{
    $window (`reverse` $reverse^)?
    `ins` `(` $gates `,` $input `:` type($gates) `,` type($input) `)`
    (`init` `(` $init^ `:` type($init) `)`)?
    `outs` `(` $output `:` type($output) `)`
    attr-dict (`->` type($result)^)?
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;

  let extraClassDeclaration = [{
    static ::llvm::ArrayRef<::mlir::swr::OperandRole> getOperandRoles() {
      using namespace ::mlir::swr;
      static constexpr OperandRole roles[] = {
          {"gates", Layout::Gates, /*written=*/false},
          {"input", Layout::Sequence, /*written=*/false},
          {"init", Layout::State, /*written=*/false},
          {"output", Layout::Sequence, /*written=*/true}};
      return roles;
    }
    int64_t getTileLength() { return getWindow().getTile(); }
    ::llvm::LogicalResult decompose(::mlir::RewriterBase &rewriter);
    void emitLoops(::mlir::ImplicitLocOpBuilder &builder);

    /// Destination-passing style: the output operand is the only init.
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getOutputMutable();
    }
    /// Whether the op works on memrefs (and so has no result).
    bool hasBufferSemantics() {
      return ::llvm::isa<::mlir::MemRefType>(getOutput().getType());
    }
  }];
}

def Swr_ScanGradOp : Swr_Op<"scan_grad", [DestinationStyleOpInterface,
                                          AttrSizedOperandSegments]> {
  let summary = "Gradients of a forward swr.scan: dx, da and dh0";
  let description = [{
    For `y = swr.scan <window> (a, x, h0)` (forward, any window) and the
    gradient `dy` of a loss `L` with respect to `y`, computes

    ```
    dx_s  = dL/dx_s  = sum_{t = s}^{hi(s)} (prod_{k = s+1}^{t} a_k) * dy_t
    da_k  = dL/da_k  = sum_{t >= k, lo(t) < k} dy_t * P(k+1, t) * h^{lo(t)}_{k-1}
    dh0_d = dL/dh0_d = sum_{t : c(t) - K <= -1} dy_t * P(0, t)
    ```

    with `P(i, j) = prod_{k=i}^{j} a_k` (1 when `i > j`), `c(t) = floor(t /
    T)`, `lo(t)` the first position of the window of `t` (`-1` when it
    reaches `h0`, read as `x_{-1}`), and `h^{l}_{j} = sum_{s=l}^{j} P(s+1, j)
    x_s` the state started at `l`. `dx` is the reverse scan of `dy` (the
    adjoint); with per-head gates `[B, H, N]`, `da` is summed over the
    head's channels.

    **Derivation of `da` for a finite `K`.** `lo(t)` depends only on the
    tile of `t`, so the `t` that see `a_k` (`k` in tile `c`) lie in tiles
    `c + j`, `j = 0..K` ("bands"). Band `j` starts the state `K - j` tiles
    before tile `c`:

    ```
    da_k = sum_{j=0}^{K} Z_j(k) * S^{(K-j)}_k
    Z_j(k)     = sum_{t in tile c+j, t >= k} P(k+1, t) dy_t
               = z^{(j)}_k - z^{(j-1)}_k
    S^{(m)}_k  = h^{T (c - m)}_{k-1}
    ```

    where `z^{(j)}` is the reverse scan of `dy` with `j` hops (`z^{(-1)} =
    0`, `z^{(K)} = dx`). At the first position of a tile, `k - 1` lies in
    the previous tile: the state started `m` tiles back is then the
    previous tile's state started `m - 1` tiles back (`S^{(m)}_k =
    y^{(m-1)}_{k-1}`), and the state started in tile `c` itself is empty
    (`S^{(0)}_k = 0`); elsewhere `S^{(m)}_k = y^{(m)}_{k-1}`, `y^{(m)}` the
    forward scan with `m` hops (`y^{(m)}_{-1} = h0`). For `K = inf` this is
    `da_k = dx_k * y_{k-1}`. Only `K = 0` lets no window reach `h0`
    (`dh0 = 0`); otherwise `dh0 = a_0 * z^{(K-1)}_0` (`a_0 * dx_0` for
    `K = inf`).

    **From the output** (`from_output`, `hops = inf` only): the exact scan's
    `da_k = dx_k * y_{k-1}` needs the forward's output, not its input, so
    with `from_output` the second operand is the forward's output `y`
    (`[B, H, D, N]`) in place of `x`: the backward reads `a`, `y` and `dy`
    and writes `dx` and `da` (and `dh0 = a_0 * dx_0`) in one pass, and a
    framework that keeps `y` for the backward need not keep `x` as well.
    `init` is still the forward's `h0` (`y_{-1}`). Finite windows need the
    states started in each of the `K` tiles before, which `y` does not hold.

    Operands: `gates`, `input` (or, `from_output`, the output) and optional
    `init` as for `swr.scan`;
    `grad_output` (`dy`, `[B, H, D, N]`); destinations `grad_input` (`dx`,
    `[B, H, D, N]`), `grad_gates` (`da`, the shape of `gates`) and, exactly
    when `init` is given, `grad_init` (`dh0`, `[B, H, D]`). Element types
    are f32, f16 or bf16 per operand; arithmetic is f32. On tensors the op
    returns the destinations; on memrefs it writes them in place, and they
    must not overlap the inputs.

    ```mlir
    %dx, %da = swr.scan_grad <tile = 16, hops = 1>
        ins(%a, %x, %dy : tensor<2x4x100xf32>, tensor<2x4x8x100xbf16>,
                          tensor<2x4x8x100xf32>)
        outs(%dx0, %da0 : tensor<2x4x8x100xf32>, tensor<2x4x100xf32>)
        -> tensor<2x4x8x100xf32>, tensor<2x4x100xf32>
    // The exact scan's backward from its saved output %y.
    swr.scan_grad <tile = 16, hops = inf> from_output
        ins(%a, %y, %dy : memref<2x4x100xf32>, memref<2x4x8x100xbf16>,
                          memref<2x4x8x100xbf16>)
        outs(%dx, %da : memref<2x4x8x100xbf16>, memref<2x4x100xbf16>)
    ```
  }];

  let arguments = (ins Swr_WindowAttr:$window,
                       UnitAttr:$from_output,
                       Swr_TensorOrMemRef:$gates,
                       Swr_TensorOrMemRef:$input,
                       Swr_TensorOrMemRef:$grad_output,
                       Optional<Swr_TensorOrMemRef>:$init,
                       Swr_TensorOrMemRef:$grad_input,
                       Swr_TensorOrMemRef:$grad_gates,
                       Optional<Swr_TensorOrMemRef>:$grad_init);
  let results = (outs Variadic<AnyRankedTensor>:$results);

  let assemblyFormat = [{
    $window (`from_output` $from_output^)?
    `ins` `(` $gates `,` $input `,` $grad_output `:` type($gates) `,`
      type($input) `,` type($grad_output) `)`
    (`init` `(` $init^ `:` type($init) `)`)?
    `outs` `(` $grad_input `,` $grad_gates `:` type($grad_input) `,`
      type($grad_gates) `)`
    (`grad_init` `(` $grad_init^ `:` type($grad_init) `)`)?
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    static ::llvm::ArrayRef<::mlir::swr::OperandRole> getOperandRoles() {
      using namespace ::mlir::swr;
      static constexpr OperandRole roles[] = {
          {"gates", Layout::Gates, /*written=*/false},
          {"input", Layout::Sequence, /*written=*/false},
          {"grad_output", Layout::Sequence, /*written=*/false},
          {"init", Layout::State, /*written=*/false},
          {"grad_input", Layout::Sequence, /*written=*/true},
          {"grad_gates", Layout::Gates, /*written=*/true},
          {"grad_init", Layout::State, /*written=*/true}};
      return roles;
    }
    int64_t getTileLength() { return getWindow().getTile(); }
    void emitLoops(::mlir::ImplicitLocOpBuilder &builder);

    /// Destination-passing style: dx, da and dh0 (the last operands).
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      unsigned first = getODSOperandIndexAndLength(4).first;
      return ::mlir::MutableOperandRange(
          getOperation(), first, getOperation()->getNumOperands() - first);
    }
  }];
}

def Swr_ScanChunkOp : Swr_Op<"scan_chunk", [DestinationStyleOpInterface,
                                            AttrSizedOperandSegments]> {
  let summary = "A chunk of a longer sequence: the forward scan from a state, "
                "and the state it hands over (prefill and decode)";
  let description = [{
    Computes the forward `swr.scan` of positions `N0 .. N0 + L - 1` of a
    sequence whose first `N0` positions an earlier chunk saw: it starts from
    the state that chunk handed over (`state_in`), or from the start of the
    sequence (`init`, as for `swr.scan`, or zeros), writes `output` for its
    `L` positions and, with `state_out`, the state after them. For every
    split, chunks give what one `swr.scan` of the whole sequence gives (up
    to f32 rounding): a prefill is a chunk from the start; a decode step is
    a chunk of one position (`L = 1`).

    **The state (layout version 1).** `[B, H, D, S]`, f32, per channel:

    - `hops = K` finite, `S = K + 2`. Slots `m = 0 .. K` hold the state at
      the last position seen, `N0 - 1`, started at the first position of
      the tile `m` tiles before the tile of the next position `N0`:
      `s_m = sum_{s = max(-1, T (c(N0) - m))}^{N0 - 1} P(s+1, N0-1) x_s`
      (`x_{-1} = h0`, so a slot whose start is at or before the sequence's
      start holds `h0`'s contribution). The next output is
      `y_{N0} = a_{N0} s_K + x_{N0}`: slot `K` is the window's state, slot
      0 the open tile's own accumulator (0 when `N0` starts a tile, as
      after a prefill that ends on a tile boundary, whose just-finished
      tile's terminal state is then slot 1). Slot `K + 1` is `N0 mod T`,
      the position of the next token in its tile, as an exact f32 integer
      (read back clamped to `[0, T - 1]`).
    - `hops = inf`, `S = 1`: slot 0 is `y_{N0 - 1}` (`h0` or 0 at the
      start).

    Each position steps every slot (`s_m = a_t s_m + x_t`) and outputs
    `s_K`; at the end of a tile the slots move one tile on (`s_m = s_{m-1}`,
    `s_0 = 0`). The state of an empty sequence is zeros, or, with `h0`,
    `s_0 = 0` and `s_m = h0` for `m >= 1` (`h0` for `hops = inf`).

    Operands: `gates` `[B, H, N]` or `[B, H, D, N]` and `input` `[B, H, D,
    N]` (`N` = `L`, the chunk's positions), at most one of `init` (`[B, H,
    D]`) and `state_in`; destinations `output` (`[B, H, D, N]`) and,
    optionally, `state_out`. States have a static slot dimension. Element
    types of `gates`, `input`, `init` and `output`: f32, f16 or bf16;
    states are f32. `hops` is `inf` or at most 64 (a state holds `K + 2`
    values per channel).

    ```mlir
    // Prefill: the first 1000 positions, and the state after them.
    %y, %s = swr.scan_chunk <tile = 16, hops = 1>
        ins(%a, %x : tensor<1x8x1000xf32>, tensor<1x8x16x1000xbf16>)
        outs(%y0 : tensor<1x8x16x1000xbf16>) state_out(%s0 : tensor<1x8x16x3xf32>)
        -> tensor<1x8x16x1000xbf16>, tensor<1x8x16x3xf32>
    // Decode: one position from that state.
    %yt, %s1 = swr.scan_chunk <tile = 16, hops = 1>
        ins(%at, %xt : tensor<1x8x1xf32>, tensor<1x8x16x1xbf16>) state_in(%s : tensor<1x8x16x3xf32>)
        outs(%y1 : tensor<1x8x16x1xbf16>) state_out(%s2 : tensor<1x8x16x3xf32>)
        -> tensor<1x8x16x1xbf16>, tensor<1x8x16x3xf32>
    ```
  }];

  let arguments = (ins Swr_WindowAttr:$window,
                       Swr_TensorOrMemRef:$gates,
                       Swr_TensorOrMemRef:$input,
                       Optional<Swr_TensorOrMemRef>:$init,
                       Optional<Swr_TensorOrMemRef>:$state_in,
                       Swr_TensorOrMemRef:$output,
                       Optional<Swr_TensorOrMemRef>:$state_out);
  let results = (outs Variadic<AnyRankedTensor>:$results);

  let assemblyFormat = [{
    $window
    `ins` `(` $gates `,` $input `:` type($gates) `,` type($input) `)`
    (`init` `(` $init^ `:` type($init) `)`)?
    (`state_in` `(` $state_in^ `:` type($state_in) `)`)?
    `outs` `(` $output `:` type($output) `)`
    (`state_out` `(` $state_out^ `:` type($state_out) `)`)?
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    static ::llvm::ArrayRef<::mlir::swr::OperandRole> getOperandRoles() {
      using namespace ::mlir::swr;
      static constexpr OperandRole roles[] = {
          {"gates", Layout::Gates, /*written=*/false},
          {"input", Layout::Sequence, /*written=*/false},
          {"init", Layout::State, /*written=*/false},
          {"state_in", Layout::ChunkState, /*written=*/false, Storage::F32},
          {"output", Layout::Sequence, /*written=*/true},
          {"state_out", Layout::ChunkState, /*written=*/true, Storage::F32}};
      return roles;
    }
    int64_t getTileLength() { return getWindow().getTile(); }
    /// K + 2 for a finite window, 1 for hops = inf.
    int64_t getStateSlots() {
      return getWindow().isExact() ? 1 : getWindow().getHops() + 2;
    }
    void emitLoops(::mlir::ImplicitLocOpBuilder &builder);
    bool hasIndependentSequences() { return true; }
    void emitSequence(::mlir::ImplicitLocOpBuilder &builder, ::mlir::Value b,
                      ::mlir::Value h, ::mlir::Value d);

    /// Destination-passing style: the output and the state out.
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      unsigned first = getODSOperandIndexAndLength(4).first;
      return ::mlir::MutableOperandRange(
          getOperation(), first, getOperation()->getNumOperands() - first);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Tile-level operations: the hierarchical (block-two-pass) form
//===----------------------------------------------------------------------===//

/// The operations below are what `swr-decompose` rewrites an `swr.scan` on
/// memrefs into: a tile-local scan from a zero state, the carry into each
/// tile over the window's hops, and a rank-1 update per tile. They work on
/// memrefs only (they are produced after bufferization). Every description
/// below uses scan order: with `reverse` a tile's first position is its
/// highest one, and the gate that links position `s` to the position
/// before it in scan order is `a_{s+1}` (`a_N = 1`).
class Swr_TileOp<string mnemonic, list<Trait> traits = []>
    : Swr_Op<mnemonic, traits>;

/// A tile length: a positive, signed 64-bit integer.
def Swr_TileLengthAttr : ConfinedAttr<SI64Attr, [IntPositive]>;

def Swr_TileScanOp : Swr_TileOp<"tile_scan"> {
  let summary = "Tile-local scans from a zero state";
  let description = [{
    Runs the recurrence inside every tile of `tile` positions, starting each
    tile from a zero state:

    ```
    states_t   = sum_{s = T*c(t)}^{t} (prod_{k = s+1}^{t} a_k) * x_s
    prefixes_t = prod_{k = T*c(t)}^{t} a_k      (inclusive gate prefix)
    ```

    (mirrored with `reverse`: `states_s = sum_{t = s}^{end(s)} (prod_{k =
    s+1}^{t} a_k) * x_t` up to the tile's last position `end(s)`, and
    `prefixes_s = prod_{k = s+1}^{end(s)+1} a_k` with `a_N = 1`).

    `states` (`[B, H, D, N]`, any of f32, f16, bf16) are the windowed outputs
    of a scan with `hops = 0`. The optional `prefixes` (f32, the shape of the
    gates) are what `swr.tile_apply` scales a tile's carry with.

    ```mlir
    swr.tile_scan tile = 16 ins(%a, %x : memref<2x4x64xf32>, memref<2x4x8x64xbf16>)
      outs(%v : memref<2x4x8x64xf32>) prefixes(%g : memref<2x4x64xf32>)
    ```
  }];
  let arguments = (ins Swr_TileLengthAttr:$tile, UnitAttr:$reverse,
                       AnyMemRef:$gates, AnyMemRef:$input, AnyMemRef:$states,
                       Optional<AnyMemRef>:$prefixes);
  let assemblyFormat = [{
    `tile` `=` $tile (`reverse` $reverse^)?
    `ins` `(` $gates `,` $input `:` type($gates) `,` type($input) `)`
    `outs` `(` $states `:` type($states) `)`
    (`prefixes` `(` $prefixes^ `:` type($prefixes) `)`)?
    attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static ::llvm::ArrayRef<::mlir::swr::OperandRole> getOperandRoles() {
      using namespace ::mlir::swr;
      static constexpr OperandRole roles[] = {
          {"gates", Layout::Gates, /*written=*/false},
          {"input", Layout::Sequence, /*written=*/false},
          {"states", Layout::Sequence, /*written=*/true},
          {"prefixes", Layout::Gates, /*written=*/true, Storage::F32}};
      return roles;
    }
    int64_t getTileLength() { return getTile(); }
    void emitLoops(::mlir::ImplicitLocOpBuilder &builder);
  }];
}

def Swr_TileCarryOp : Swr_TileOp<"tile_carry"> {
  let summary = "The state carried into every tile over the window's hops";
  let description = [{
    From the tile-local `states` and `prefixes` of `swr.tile_scan`, computes
    for every tile `j` (in scan order) the state that enters it from the
    `K` tiles before it:

    ```
    carries_j = sum_{i = max(j-K, 0)}^{j-1} (prod_{l = i+1}^{j-1} G_l) * V_i
    ```

    where `V_i` is the last local state of tile `i` and `G_l` the product of
    all gates of tile `l` (the last prefix of the tile). `init`, when given,
    is the terminal state of tile -1: it adds `(prod_{l = 0}^{j-1} G_l) *
    init` when `j - K <= -1`. `hops = inf` gives the exact carry (a scan over
    tiles). A tile that nothing reaches (tile 0 without `init`) gets 0.

    `carries` is `[B, H, D, ceil(N / T)]`, f32, indexed by tile number (not
    scan order). `hops` must be at least 1: a window of 0 hops carries
    nothing.

    ```mlir
    swr.tile_carry <tile = 16, hops = 1>
      ins(%v, %g : memref<2x4x8x64xf32>, memref<2x4x64xf32>)
      outs(%c : memref<2x4x8x4xf32>)
    ```
  }];
  let arguments = (ins Swr_WindowAttr:$window, UnitAttr:$reverse,
                       AnyMemRef:$states, AnyMemRef:$prefixes,
                       Optional<AnyMemRef>:$init, AnyMemRef:$carries);
  let assemblyFormat = [{
    $window (`reverse` $reverse^)?
    `ins` `(` $states `,` $prefixes `:` type($states) `,` type($prefixes) `)`
    (`init` `(` $init^ `:` type($init) `)`)?
    `outs` `(` $carries `:` type($carries) `)`
    attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static ::llvm::ArrayRef<::mlir::swr::OperandRole> getOperandRoles() {
      using namespace ::mlir::swr;
      static constexpr OperandRole roles[] = {
          {"states", Layout::Sequence, /*written=*/false, Storage::F32},
          {"prefixes", Layout::Gates, /*written=*/false, Storage::F32},
          {"init", Layout::State, /*written=*/false},
          {"carries", Layout::PerTile, /*written=*/true, Storage::F32}};
      return roles;
    }
    int64_t getTileLength() { return getWindow().getTile(); }
    void emitLoops(::mlir::ImplicitLocOpBuilder &builder);
  }];
}

def Swr_TileApplyOp : Swr_TileOp<"tile_apply"> {
  let summary = "The rank-1 update of every tile with its carry";
  let description = [{
    `output_t = states_t + prefixes_t * carries_{c(t)}`: each tile's local
    states plus its carry scaled by the inclusive gate prefix. The first
    tile in scan order (tile 0, or the last tile with `reverse`) has no
    carry and is copied unless `with_init` says that `init` reaches it; it
    is not scaled by a zero carry, so that Inf and NaN gates outside a
    window never reach the output.

    ```mlir
    swr.tile_apply tile = 16
      ins(%v, %g, %c : memref<2x4x8x64xf32>, memref<2x4x64xf32>, memref<2x4x8x4xf32>)
      outs(%y : memref<2x4x8x64xbf16>)
    ```
  }];
  let arguments = (ins Swr_TileLengthAttr:$tile, UnitAttr:$reverse,
                       UnitAttr:$with_init, AnyMemRef:$states,
                       AnyMemRef:$prefixes, AnyMemRef:$carries,
                       AnyMemRef:$output);
  let assemblyFormat = [{
    `tile` `=` $tile (`reverse` $reverse^)? (`with_init` $with_init^)?
    `ins` `(` $states `,` $prefixes `,` $carries `:` type($states) `,`
              type($prefixes) `,` type($carries) `)`
    `outs` `(` $output `:` type($output) `)`
    attr-dict
  }];
  let extraClassDeclaration = [{
    static ::llvm::ArrayRef<::mlir::swr::OperandRole> getOperandRoles() {
      using namespace ::mlir::swr;
      static constexpr OperandRole roles[] = {
          {"states", Layout::Sequence, /*written=*/false, Storage::F32},
          {"prefixes", Layout::Gates, /*written=*/false, Storage::F32},
          {"carries", Layout::PerTile, /*written=*/false, Storage::F32},
          {"output", Layout::Sequence, /*written=*/true}};
      return roles;
    }
    int64_t getTileLength() { return getTile(); }
    void emitLoops(::mlir::ImplicitLocOpBuilder &builder);
  }];
}

#endif // SWR_DIALECT_SWR_IR_SWROPS_TD
