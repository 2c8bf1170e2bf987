//===- SwrAttrs.td - swr attribute definitions -------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWRATTRS_TD
#define SWR_DIALECT_SWR_IR_SWRATTRS_TD

include "swr/Dialect/Swr/IR/SwrDialect.td"
include "mlir/IR/AttrTypeBase.td"

class Swr_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Swr_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Swr_WindowAttr : Swr_Attr<"Window", "window"> {
  let summary = "A jagged, tile-aligned window: tile length and hops";
  let description = [{
    A window has a tile length `T >= 1` and a number of hops `K`, a
    non-negative integer or `inf`. Position `t` lies in tile `floor(t / T)`
    and sees every position from the start of tile `floor(t / T) - K` up to
    itself (clamped at 0). `hops = inf` is the exact, unwindowed recurrence;
    `hops = 1` is the Phalanx block-two-pass window; `hops = 0` is a purely
    tile-local scan.

    ```mlir
    #swr.window<tile = 16, hops = 1>
    #swr.window<tile = 64, hops = inf>
    ```
  }];
  let parameters = (ins "int64_t":$tile, "int64_t":$hops);
  let assemblyFormat = "`<` `tile` `=` $tile `,` `hops` `=` custom<Hops>($hops) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The value of `hops` that stands for `inf` (the exact recurrence).
    static constexpr int64_t kInfiniteHops = -1;
    /// Whether the window is unbounded (`hops = inf`).
    bool isExact() const { return getHops() == kInfiniteHops; }
    /// Whether every window covers the whole sequence of any memref and its
    /// init: `hops = inf`, or a reach `T * (K + 1)` beyond 2^62 positions,
    /// which no memref holds (and which index arithmetic could not
    /// represent).
    bool coversEverything() const;
  }];
}

#endif // SWR_DIALECT_SWR_IR_SWRATTRS_TD
