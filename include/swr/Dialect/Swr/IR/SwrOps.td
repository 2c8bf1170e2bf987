//===- SwrOps.td - swr operation definitions ---------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWROPS_TD
#define SWR_DIALECT_SWR_IR_SWROPS_TD

include "swr/Dialect/Swr/IR/SwrAttrs.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// A ranked tensor or a ranked memref; element types and shapes are checked
/// by the op verifiers, which give more precise messages than ODS could.
def Swr_TensorOrMemRef : AnyTypeOf<[AnyRankedTensor, AnyMemRef],
                                   "ranked tensor or memref">;

def Swr_ScanOp : Swr_Op<"scan", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<BufferizableOpInterface, [
        "bufferizesToMemoryRead", "bufferizesToMemoryWrite",
        "getAliasingValues", "bufferize"]>]> {
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
    /// Destination-passing style: the output operand is the only init.
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getOutputMutable();
    }
    /// Whether the gates are shared by the D channels of a head.
    bool hasPerHeadGates() {
      return ::llvm::cast<::mlir::ShapedType>(getGates().getType())
                 .getRank() == 3;
    }
    /// Whether the op works on memrefs (and so has no result).
    bool hasBufferSemantics() {
      return ::llvm::isa<::mlir::MemRefType>(getOutput().getType());
    }
  }];
}

#endif // SWR_DIALECT_SWR_IR_SWROPS_TD
