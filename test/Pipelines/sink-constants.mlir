// REQUIRES: nvptx
// swr-cuda-pipeline's sink-constants: by default (-1) only the launches
// that ask for it (those of finite windows and the backward; not the exact
// scan's, which measured slower with it) get the host's constants moved
// in, so that no float constant is a parameter of theirs; 0 moves none, 1
// every launch.
// RUN: swr-opt %s --swr-cuda-pipeline=format=isa | %python %swr_src/scripts/extract_ptx.py \
// RUN:   | FileCheck %s --check-prefix=DEFAULT
// RUN: swr-opt %s --swr-cuda-pipeline="format=isa sink-constants=0" | %python %swr_src/scripts/extract_ptx.py \
// RUN:   | FileCheck %s --check-prefix=NONE
// RUN: swr-opt %s --swr-cuda-pipeline="format=isa sink-constants=1" | %python %swr_src/scripts/extract_ptx.py \
// RUN:   | FileCheck %s --check-prefix=ALL
// RUN: not swr-opt %s --swr-cuda-pipeline="format=isa sink-constants=2" 2>&1 | FileCheck %s --check-prefix=RANGE

// DEFAULT: .entry scan_kernel(
// DEFAULT-NOT: .param .f32
// DEFAULT: .entry exact_kernel(
// DEFAULT: .param .f32
// DEFAULT: .entry grad_kernel(
// DEFAULT-NOT: .param .f32
// DEFAULT: ret;

// NONE: .entry scan_kernel(
// NONE: .param .f32
// NONE: .entry exact_kernel(
// NONE: .param .f32
// NONE: .entry grad_kernel(
// NONE: .param .f32

// ALL: .entry scan_kernel(
// ALL-NOT: .param .f32
// ALL: .entry exact_kernel(
// ALL-NOT: .param .f32
// ALL: .entry grad_kernel(
// ALL-NOT: .param .f32
// ALL: ret;

// RANGE: error: swr-cuda-pipeline: sink-constants must be -1, 0 or 1, got 2

func.func @scan(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>, %y: memref<?x?x?x?xbf16>) {
  swr.scan <tile = 16, hops = 1> ins(%a, %x : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>)
    outs(%y : memref<?x?x?x?xbf16>)
  return
}

func.func @exact(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>, %y: memref<?x?x?x?xbf16>) {
  swr.scan <tile = 16, hops = inf> ins(%a, %x : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>)
    outs(%y : memref<?x?x?x?xbf16>)
  return
}

func.func @grad(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>, %dy: memref<?x?x?x?xbf16>,
                %dx: memref<?x?x?x?xbf16>, %da: memref<?x?x?xbf16>) {
  swr.scan_grad <tile = 16, hops = 1> ins(%a, %x, %dy : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>)
    outs(%dx, %da : memref<?x?x?x?xbf16>, memref<?x?x?xbf16>)
  return
}
