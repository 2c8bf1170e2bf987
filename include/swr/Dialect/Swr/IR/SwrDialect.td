//===- SwrDialect.td - swr dialect definition --------------*- tablegen -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWRDIALECT_TD
#define SWR_DIALECT_SWR_IR_SWRDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "swr/Dialect/Swr/IR/SwrInterfaces.td"

def Swr_Dialect : Dialect {
  let name = "swr";
  let cppNamespace = "::mlir::swr";
  let summary = "Sliding window recurrences: windowed first-order linear scans";
  let description = [{
    The `swr` dialect expresses first-order linear recurrences
    `y_t = a_t * y_{t-1} + x_t` truncated to hardware-aligned, jagged windows.
    The sequence is cut into tiles of `T` positions; a position in tile `c`
    sees every input from the start of tile `c - K` up to itself, where `K` is
    the number of hops of the window (`K = inf` is the exact recurrence):

    ```
    y_t = sum_{s = lo(t)}^{t} (prod_{k = s+1}^{t} a_k) * x_s,
    lo(t) = max(0, T * (floor(t / T) - K))
    ```

    Operands are `[B, H, D, N]` (batch, heads, channels, sequence) with gates
    either per head `[B, H, N]` or per channel `[B, H, D, N]`. Arithmetic is
    always f32; storage may be f32, f16 or bf16.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

/// Every swr op describes its operands' roles (SwrOpInterface), from which
/// its memory effects follow: memref operands are read or written as their
/// roles say; tensor operands have no effects (they are values).
class Swr_Op<string mnemonic, list<Trait> traits = []>
    : Op<Swr_Dialect, mnemonic, !listconcat(traits, [
        Swr_OpInterface,
        DeclareOpInterfaceMethods<MemoryEffectsOpInterface>])> {
  let extraClassDefinition = [{
    void $cppClass::getEffects(
        ::llvm::SmallVectorImpl<::mlir::SideEffects::EffectInstance<
            ::mlir::MemoryEffects::Effect>> &effects) {
      ::mlir::swr::addEffectsFromRoles(*this, effects);
    }
  }];
}

#endif // SWR_DIALECT_SWR_IR_SWRDIALECT_TD
