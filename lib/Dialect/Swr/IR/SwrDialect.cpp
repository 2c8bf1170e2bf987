//===- SwrDialect.cpp - swr dialect, attributes and verifiers -------------===//
//
// Part of the swr project: sliding window recurrences in MLIR.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrDialect.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::swr;

#include "swr/Dialect/Swr/IR/SwrDialect.cpp.inc"

void SwrDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "swr/Dialect/Swr/IR/SwrAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "swr/Dialect/Swr/IR/SwrOps.cpp.inc"
      >();
  detail::attachBufferizationModels(getContext());
}

//===----------------------------------------------------------------------===//
// WindowAttr
//===----------------------------------------------------------------------===//

/// Parses the hops of a window: a non-negative integer or the keyword `inf`.
static ParseResult parseHops(AsmParser &parser, int64_t &hops) {
  if (succeeded(parser.parseOptionalKeyword("inf"))) {
    hops = WindowAttr::kInfiniteHops;
    return success();
  }
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseInteger(hops))
    return failure();
  if (hops < 0)
    return parser.emitError(loc, "hops must be a non-negative integer or "
                                 "'inf', got ")
           << hops;
  return success();
}

static void printHops(AsmPrinter &printer, int64_t hops) {
  if (hops == WindowAttr::kInfiniteHops)
    printer << "inf";
  else
    printer << hops;
}

bool WindowAttr::coversEverything() const {
  if (isExact())
    return true;
  // The reach T * (K + 1) exceeds 2^62 exactly when K >= floor(2^62 / T)
  // (computed without forming K + 1, which overflows for K = 2^63 - 1).
  return getHops() >= (int64_t(1) << 62) / getTile();
}

LogicalResult WindowAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t tile, int64_t hops) {
  if (tile < 1)
    return emitError() << "window tile must be >= 1, got " << tile;
  if (hops < 0 && hops != kInfiniteHops)
    return emitError() << "window hops must be non-negative or inf, got "
                       << hops;
  return success();
}

#define GET_ATTRDEF_CLASSES
#include "swr/Dialect/Swr/IR/SwrAttrs.cpp.inc"
