//===- SequenceKernel.cpp - one GPU thread per sequence -------------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
// The kernel of an swr op whose sequences are independent
// (SwrOpInterface::hasIndependentSequences): thread `i` of the grid runs the
// op's own loops for sequence `i` of the `B * H * D` sequences, with the
// channel fastest, so that the threads of a warp read neighbouring
// channels. For a decode step (one position) every access of a warp is one
// contiguous run: x, y and the state of consecutive channels. Long
// sequences are walked by one thread each, which suits short chunks, not
// prefills.
//
//===----------------------------------------------------------------------===//

#include "swr/Conversion/SwrToGPU/SwrToGPU.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::swr;

void mlir::swr::emitSequenceKernel(ImplicitLocOpBuilder &b, SwrOpInterface op,
                                   int64_t threadsPerBlock) {
  Value sequence;
  for (auto &[operand, role] : operandRoles(op))
    if (role.layout == Layout::Sequence && !sequence)
      sequence = operand->get();
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, v); };
  Value batch = memref::DimOp::create(b, sequence, 0);
  Value heads = memref::DimOp::create(b, sequence, 1);
  Value channels = memref::DimOp::create(b, sequence, 2);
  Value total = arith::MulIOp::create(b, arith::MulIOp::create(b, batch, heads),
                                      channels);
  Value threads = idx(threadsPerBlock);
  Value blocks = arith::CeilDivSIOp::create(b, total, threads);
  Value any =
      arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, total, idx(0));
  // No launch for no sequences (a grid of 0 blocks is a launch error).
  scf::IfOp::create(b, any, [&](OpBuilder &, Location) {
    Value one = idx(1);
    auto launch = gpu::LaunchOp::create(b, blocks, one, one, threads, one, one);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value id = arith::AddIOp::create(
        b, arith::MulIOp::create(b, launch.getBlockIds().x, threads),
        launch.getThreadIds().x);
    Value inRange =
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, id, total);
    scf::IfOp::create(b, inRange, [&](OpBuilder &, Location) {
      Value d = arith::RemUIOp::create(b, id, channels);
      Value rest = arith::DivUIOp::create(b, id, channels);
      Value h = arith::RemUIOp::create(b, rest, heads);
      Value bi = arith::DivUIOp::create(b, rest, heads);
      op.emitSequence(b, bi, h, d);
      scf::YieldOp::create(b);
    });
    gpu::TerminatorOp::create(b);
    b.setInsertionPointAfter(launch);
    scf::YieldOp::create(b);
  });
}
