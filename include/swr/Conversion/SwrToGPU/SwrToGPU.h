//===- SwrToGPU.h - swr decomposed form to GPU kernels ----------*- C++ -*-===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CONVERSION_SWRTOGPU_SWRTOGPU_H
#define SWR_CONVERSION_SWRTOGPU_SWRTOGPU_H

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace swr {

#define GEN_PASS_DECL_CONVERTSWRTOGPU
#define GEN_PASS_DECL_SWRHOSTALLOCSTOGPU
#define GEN_PASS_DECL_SWRGPUOUTLINEKERNELS
#define GEN_PASS_DECL_SWRGPUSINKCONSTANTS
#include "swr/Conversion/Passes.h.inc"

struct ScanSpec;
struct KernelMapping;
class SwrOpInterface;
class ScanGradOp;

/// What convert-swr-to-gpu does, for compilers that call it without the
/// pass: maps every scan under `root` in the form swr-decompose produces
/// onto one kernel, gives ops with independent sequences one thread per
/// sequence and swr.scan_grad (hops 0 and 1) its kernel, each behind the
/// op's run-time shape checks. Reports located errors and fails on options
/// out of range, unsupported windows and swr ops left in another form.
LogicalResult convertSwrToGPU(Operation *root,
                              const ConvertSwrToGPUOptions &options);

/// Emits, at the builder's insertion point, the host code and the
/// `gpu.launch` that compute `spec` with `mapping` (KernelMapping.h).
void emitScanKernel(ImplicitLocOpBuilder &b, const ScanSpec &spec,
                    const KernelMapping &mapping);

/// The same for a mapping with `timeMajor` set (TimeMajorKernel.cpp).
void emitTimeMajorKernel(ImplicitLocOpBuilder &b, const ScanSpec &spec,
                         const KernelMapping &mapping);

/// Replaces nothing: emits, at the builder's insertion point, a kernel in
/// which each thread runs one `(b, h, d)` sequence of `op` (an op with
/// `hasIndependentSequences()`, on memrefs) with the op's own loops; the
/// caller erases `op`.
void emitSequenceKernel(ImplicitLocOpBuilder &b, SwrOpInterface op,
                        int64_t threadsPerBlock);

/// Whether every sequence (row) of `memref` starts on a 16-byte boundary
/// (emitted at the builder's insertion point, host side): its base and
/// offset, and every stride but the innermost.
Value rowsStartAligned(ImplicitLocOpBuilder &b, Value memref);

/// Whether `emitGradKernel` covers `op` (hops 0 or 1, tile <= 32); a
/// located error otherwise. (The backward from the output, `from_output`,
/// is `emitExactGradKernel`'s.)
LogicalResult checkGradKernel(ScanGradOp op);

/// Emits the one-pass kernel of `op` (on memrefs) at the builder's
/// insertion point (GradKernel.cpp); the caller erases `op`.
void emitGradKernel(ImplicitLocOpBuilder &b, ScanGradOp op,
                    int64_t warpsPerBlock);

/// Emits, for an `op` with N = 0 at run time and a `grad_init`, a kernel
/// that writes dh0 = 0 (GradKernel.cpp).
void emitZeroGradInitIfEmpty(ImplicitLocOpBuilder &b, ScanGradOp op,
                             int64_t warpsPerBlock);

/// The mapping of `op` (`from_output`, hops = inf) onto the reverse exact
/// scan with da in its epilogue, or a located error (ExactGradKernel.cpp).
FailureOr<KernelMapping>
mapExactGradKernel(ScanGradOp op, const ConvertSwrToGPUOptions &options);

/// Emits that kernel (and, for per-head gates, the path of heads too wide
/// for one block) at the builder's insertion point; the caller erases `op`.
void emitExactGradKernel(ImplicitLocOpBuilder &b, ScanGradOp op,
                         const KernelMapping &mapping, int64_t warpsPerBlock);

/// The unit attribute of a `gpu.launch` whose kernel should get the host's
/// constants as immediates (swr-gpu-sink-constants moves them in).
constexpr StringLiteral kSinkConstantsAttrName = "swr.sink_constants";

/// The i32 attribute of a `gpu.launch` asking for at least this many blocks
/// of its kernel per multiprocessor (swr-gpu-outline-kernels makes it the
/// outlined kernel's `nvvm.minctasm`: ptxas then fits the registers).
constexpr StringLiteral kMinBlocksPerSMAttrName = "swr.min_blocks_per_sm";

/// The unit attribute of a `gpu.launch` whose kernel is to be launched as a
/// programmatic dependent of the kernel before it (swr-gpu-outline-kernels
/// names it with SWR_DEPENDENT_KERNEL_SUFFIX, which the runtime reads): its
/// threads run `nvvm.griddepcontrol wait` before touching what that kernel
/// wrote.
constexpr StringLiteral kDependentLaunchAttrName = "swr.dependent_launch";

/// Parses options of convert-swr-to-gpu ("warps-per-block=8 ...") and checks
/// their ranges; reports errors to `errors`.
FailureOr<ConvertSwrToGPUOptions> parseMappingOptions(StringRef text,
                                                      raw_ostream &errors);

/// Registers test-swr-kernel-mapping (swr-opt only).
void registerTestSwrKernelMappingPass();

/// Registers test-swr-gpu-launch-to-loops (swr-opt only;
/// TestLaunchToLoops.cpp).
void registerTestSwrGpuLaunchToLoopsPass();

} // namespace swr
} // namespace mlir

#endif // SWR_CONVERSION_SWRTOGPU_SWRTOGPU_H
