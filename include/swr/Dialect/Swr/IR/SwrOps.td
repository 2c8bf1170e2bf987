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
