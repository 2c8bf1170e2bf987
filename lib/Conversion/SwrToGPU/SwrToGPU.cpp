//===- SwrToGPU.cpp - the decomposed form to one GPU kernel per scan ------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// convert-swr-to-gpu: finds each scan in the form swr-decompose produces
// (tile_scan, tile_carry, tile_apply and their scratch buffers, or a lone
// tile_scan), computes its KernelMapping (KernelMapping.cpp) and replaces
// it with one kernel (ScanKernel.cpp); ops whose sequences are independent
// get one thread per sequence (SequenceKernel.cpp); swr.scan_grad with at
// most one hop gets its one-pass kernel (GradKernel.cpp), and from the
// output (hops = inf) the reverse exact scan with da in its epilogue
// (ExactGradKernel.cpp).
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"
#include "swr/Conversion/SwrToGPU/KernelMapping.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Utils/ShapeChecks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir {
namespace swr {
#define GEN_PASS_DEF_CONVERTSWRTOGPU
#include "swr/Conversion/Passes.h.inc"
} // namespace swr
} // namespace mlir

using namespace mlir;
using namespace mlir::swr;

//===----------------------------------------------------------------------===//
// Matching the decomposed form
//===----------------------------------------------------------------------===//

/// The op among `buffer`'s users of type `OpTy` that writes it through
/// `written`, if any.
template <typename OpTy>
static OpTy writerOf(Value buffer, function_ref<Value(OpTy)> written) {
  for (Operation *user : buffer.getUsers())
    if (auto op = dyn_cast<OpTy>(user); op && written(op) == buffer)
      return op;
  return nullptr;
}

/// Whether `buffer` is a scratch `memref.alloc` whose only users are `ops`
/// and deallocations.
static bool isScratch(Value buffer, ArrayRef<Operation *> ops) {
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return false;
  return llvm::all_of(buffer.getUsers(), [&](Operation *user) {
    return isa<memref::DeallocOp>(user) || llvm::is_contained(ops, user);
  });
}

namespace {
/// A scan in decomposed form: the ops to replace and what they compute.
struct Fusion {
  ScanSpec spec;
  SmallVector<Operation *> ops;
  SmallVector<Value> scratch;
};
} // namespace

/// Recognizes the form swr-decompose produces: a lone `swr.tile_scan` that
/// writes the output (no carry), or tile_scan -> tile_carry -> tile_apply
/// communicating through scratch buffers.
static FailureOr<Fusion> matchDecomposed(Operation *root) {
  Fusion f;
  if (auto scan = dyn_cast<TileScanOp>(root)) {
    if (scan.getPrefixes())
      return failure();
    f.spec = {static_cast<int64_t>(scan.getTile()),
              0,
              scan.getReverse(),
              scan.getGates(),
              scan.getInput(),
              Value(),
              scan.getStates()};
    f.ops = {scan};
    return f;
  }
  auto apply = dyn_cast<TileApplyOp>(root);
  if (!apply)
    return failure();
  auto scan = writerOf<TileScanOp>(
      apply.getStates(), [](TileScanOp op) { return op.getStates(); });
  auto carry = writerOf<TileCarryOp>(
      apply.getCarries(), [](TileCarryOp op) { return op.getCarries(); });
  if (!scan || !carry || scan.getPrefixes() != apply.getPrefixes() ||
      carry.getStates() != apply.getStates() ||
      carry.getPrefixes() != apply.getPrefixes() ||
      scan.getTile() != apply.getTile() ||
      carry.getWindow().getTile() != static_cast<int64_t>(apply.getTile()) ||
      scan.getReverse() != apply.getReverse() ||
      carry.getReverse() != apply.getReverse() ||
      apply.getWithInit() != (carry.getInit() != nullptr))
    return failure();
  f.ops = {scan, carry, apply};
  f.scratch = {apply.getStates(), apply.getPrefixes(), apply.getCarries()};
  if (!llvm::all_of(f.scratch,
                    [&](Value buffer) { return isScratch(buffer, f.ops); }))
    return failure();
  f.spec = {static_cast<int64_t>(apply.getTile()),
            carry.getWindow().getHops(),
            apply.getReverse(),
            scan.getGates(),
            scan.getInput(),
            carry.getInit(),
            apply.getOutput()};
  return f;
}

/// The roots of the decomposed scans under `root`: tile_apply (the fused
/// triple) and lone tile_scans.
static SmallVector<Operation *> decomposedRoots(Operation *root) {
  SmallVector<Operation *> roots;
  root->walk([&](Operation *op) {
    if (isa<TileApplyOp>(op) ||
        (isa<TileScanOp>(op) && !cast<TileScanOp>(op).getPrefixes()))
      roots.push_back(op);
  });
  return roots;
}

/// The decomposed scan rooted at `root` and its mapping, or a located error.
static FailureOr<std::pair<Fusion, KernelMapping>>
mapDecomposed(Operation *root, const ConvertSwrToGPUOptions &options) {
  FailureOr<Fusion> fusion = matchDecomposed(root);
  if (failed(fusion))
    return root->emitOpError("is not part of the form swr-decompose produces "
                             "(tile_scan, tile_carry and tile_apply on "
                             "scratch buffers), which convert-swr-to-gpu "
                             "maps to one kernel");
  std::string reason;
  FailureOr<KernelMapping> mapping =
      KernelMapping::compute(fusion->spec, options, reason);
  if (failed(mapping))
    return root->emitOpError(reason);
  return std::make_pair(*fusion, *mapping);
}

LogicalResult
mlir::swr::convertSwrToGPU(Operation *root,
                           const ConvertSwrToGPUOptions &options) {
  std::string reason;
  if (failed(verifyOptions(options, reason)))
    return root->emitError(reason);
  IRRewriter rewriter(root->getContext());
  for (Operation *scanRoot : decomposedRoots(root)) {
    auto mapped = mapDecomposed(scanRoot, options);
    if (failed(mapped))
      return failure();
    auto &[fusion, mapping] = *mapped;
    ImplicitLocOpBuilder b(scanRoot->getLoc(), rewriter);
    b.setInsertionPoint(scanRoot);
    if (mapping.timeMajor)
      emitTimeMajorKernel(b, fusion.spec, mapping);
    else
      emitScanKernel(b, fusion.spec, mapping);
    for (Operation *op : llvm::reverse(fusion.ops))
      rewriter.eraseOp(op);
    for (Value buffer : fusion.scratch) {
      for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
        rewriter.eraseOp(user);
      rewriter.eraseOp(buffer.getDefiningOp());
    }
  }

  // Ops with kernels of their own: those whose sequences are independent
  // (one thread per sequence) and gradients with at most one hop; each
  // behind its run-time shape checks.
  SmallVector<SwrOpInterface> ownKernels;
  root->walk([&](SwrOpInterface op) {
    if (op.hasIndependentSequences() || isa<ScanGradOp>(op))
      ownKernels.push_back(op);
  });
  for (SwrOpInterface op : ownKernels) {
    auto grad = dyn_cast<ScanGradOp>(op.getOperation());
    bool fromOutput = grad && grad.getFromOutput();
    if (failed(checkBufferizedFor(op, "convert-swr-to-gpu")) ||
        (grad && !fromOutput && failed(checkGradKernel(grad))))
      return failure();
    FailureOr<KernelMapping> exactGrad;
    if (fromOutput && failed(exactGrad = mapExactGradKernel(grad, options)))
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    b.setInsertionPoint(op);
    emitShapeChecked(b, op, [&] {
      if (fromOutput)
        emitExactGradKernel(b, grad, *exactGrad, options.warpsPerBlock);
      else if (grad)
        emitGradKernel(b, grad, options.warpsPerBlock);
      else
        emitSequenceKernel(b, op, kWarpSize * options.warpsPerBlock);
    });
    rewriter.eraseOp(op);
  }

  WalkResult leftover = root->walk([&](Operation *op) {
    if (!isa<SwrDialect>(op->getDialect()))
      return WalkResult::advance();
    if (isa<ScanOp>(op))
      op->emitOpError("must be decomposed (swr-decompose, after "
                      "bufferization) before convert-swr-to-gpu");
    else if (!isa<TileScanOp, TileCarryOp, TileApplyOp>(op))
      op->emitOpError("has no GPU kernel yet (convert-swr-to-scf runs it "
                      "on the CPU)");
    else
      op->emitOpError("is not part of the form swr-decompose produces, "
                      "which convert-swr-to-gpu maps to one kernel");
    return WalkResult::interrupt();
  });
  return failure(leftover.wasInterrupted());
}

namespace {
struct ConvertSwrToGPUPass
    : public swr::impl::ConvertSwrToGPUBase<ConvertSwrToGPUPass> {
  using Base::Base;

  /// The pass's options (declared once, in Passes.td) as their struct.
  ConvertSwrToGPUOptions mappingOptions() const {
    return {warpsPerBlock,   warpsPerSequence,  vectorsPerLane,
            prefetchSteps,   minChunkSteps,     targetWarps,
            channelsPerWarp, channelsPerLane,   adjacentChannels,
            timeMajor,       positionsInFlight, channelBytes,
            chainWarps,      chainWindows,      chainBlocksPerSM,
            lookWindow,      lookTestMaps,      lookDepth,
            lookFarPrefix,   ownCarries,        dependentLaunch};
  }

  void runOnOperation() override {
    if (failed(convertSwrToGPU(getOperation(), mappingOptions())))
      signalPassFailure();
  }
};

/// test-swr-kernel-mapping: prints the mapping of every decomposed scan as a
/// remark on its root, under the options of convert-swr-to-gpu (the same
/// options: it is that pass with another body); changes nothing.
struct TestSwrKernelMappingPass : public ConvertSwrToGPUPass {
  using ConvertSwrToGPUPass::ConvertSwrToGPUPass;

  StringRef getArgument() const override { return "test-swr-kernel-mapping"; }
  StringRef getDescription() const override {
    return "Print the GPU mapping of every decomposed scan (a remark) under "
           "the options of convert-swr-to-gpu";
  }
  std::unique_ptr<Pass> clonePass() const override {
    auto pass = std::make_unique<TestSwrKernelMappingPass>(*this);
    pass->copyOptionValuesFrom(this);
    return pass;
  }

  void runOnOperation() override {
    ConvertSwrToGPUOptions options = mappingOptions();
    std::string reason;
    if (failed(verifyOptions(options, reason))) {
      getOperation()->emitError(reason);
      return signalPassFailure();
    }
    for (Operation *root : decomposedRoots(getOperation())) {
      auto mapped = mapDecomposed(root, options);
      if (failed(mapped))
        return signalPassFailure();
      std::string text;
      llvm::raw_string_ostream os(text);
      mapped->second.print(os);
      root->emitRemark("kernel mapping: ") << text;
    }
  }
};
} // namespace

FailureOr<ConvertSwrToGPUOptions>
mlir::swr::parseMappingOptions(StringRef text, raw_ostream &errors) {
  ConvertSwrToGPUPass pass;
  if (failed(pass.initializeOptions(text, [&](const Twine &message) {
        errors << message << "\n";
        return failure();
      })))
    return failure();
  ConvertSwrToGPUOptions options = pass.mappingOptions();
  std::string reason;
  if (failed(verifyOptions(options, reason))) {
    errors << reason << "\n";
    return failure();
  }
  return options;
}

void mlir::swr::registerTestSwrKernelMappingPass() {
  PassRegistration<TestSwrKernelMappingPass>();
}
