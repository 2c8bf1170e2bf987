// REQUIRES: nvptx
// RUN: swr-opt %s --swr-cuda-pipeline=format=isa | FileCheck %s --check-prefix=HOST
// RUN: swr-opt %s --swr-cuda-pipeline=format=isa | %python %swr_src/scripts/extract_ptx.py \
// RUN:   | FileCheck %s --check-prefix=PTX
// RUN: swr-opt %s --swr-cuda-pipeline="format=isa warps-per-block=2 prefetch-steps=1" \
// RUN:   | %python %swr_src/scripts/extract_ptx.py swr_bf16_kernel | FileCheck %s --check-prefix=KNOBS
// The pipeline takes convert-swr-to-gpu's options (declared once, in the
// pass) and its range check:
// RUN: not swr-opt %s --swr-cuda-pipeline="format=isa warps-per-block=0" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not swr-opt %s --swr-cuda-pipeline="format=isa bogus=1" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RANGE: error: convert-swr-to-gpu: warps-per-block must be in [1, 32]
// UNKNOWN: error: <Pass-Options-Parser>: no such option bogus
// RUN: %if ptxas %{ swr-opt %s --swr-cuda-pipeline="toolkit=%cuda_toolkit" | FileCheck %s --check-prefix=CUBIN %}
// sink-constants: the host's constants move into the launches, so that no
// float constant (1.0, 0.0) is a kernel parameter any more.
// RUN: swr-opt %s --swr-cuda-pipeline="format=isa sink-constants=1" | %python %swr_src/scripts/extract_ptx.py \
// RUN:   | FileCheck %s --check-prefix=SINK
// SINK: .entry swr_bf16_kernel(
// SINK-NOT: .param .f32
// SINK: .entry exact_f32_kernel(
// SINK-NOT: .param .f32

// swr-cuda-pipeline: tensors are bufferized (results in unified memory from
// the runtime), each scan becomes one kernel,
// the kernels are embedded for sm_90a and the host code is LLVM dialect that
// launches them.

// HOST-LABEL: llvm.func @swr_bf16
//       HOST:   llvm.call @mgpuMemAlloc
//       HOST:   gpu.launch_func @swr_bf16_kernel::@swr_bf16_kernel
//   HOST-NOT:   swr.
// HOST-LABEL: llvm.func @exact_f32
//       HOST:   gpu.launch_func @exact_f32_kernel::@exact_f32_kernel

// SWR, bf16: 16-byte loads of x and of the gates, shuffles between the two
// lanes of a tile and for the lane prefix, one indexed shuffle for the
// carry, fused multiply-adds, 16-byte stores; no shared memory, no barrier,
// nothing in local memory.
//     PTX: // gpu.binary @swr_bf16_kernel
//     PTX: .target sm_90a
//     PTX: .maxntid 128, 1, 1
// PTX-NOT: .shared
// PTX-DAG: ld.global.v4.b32
// PTX-DAG: shfl.sync.up.b32
// PTX-DAG: shfl.sync.idx.b32
// PTX-DAG: fma.rn.f32
// PTX-DAG: st.global.v4.b32
// PTX-NOT: bar.sync
// PTX-NOT: .local
// The exact scan, f32: five shuffle rounds over the warp and the lane
// prefix, each moving (gate product, state), then the step total from
// lane 31 (in each of the 3 steps of the unrolled walk).
//     PTX: // gpu.binary @exact_f32_kernel
// PTX-NOT: .shared
// PTX-DAG: ld.global.v4.b32
// PTX-DAG: st.global.v4.b32
// PTX-COUNT-12: shfl.sync.up.b32
// PTX-COUNT-2: shfl.sync.idx.b32
// PTX-NOT: bar.sync
// PTX-NOT: .local

// The mapping options reach the kernel: 2 warps (64 threads).
// KNOBS: .maxntid 64, 1, 1

// CUBIN: gpu.binary @swr_bf16_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, {{.*}}bin = "\7FELF
// CUBIN: gpu.binary @exact_f32_kernel [#gpu.object<{{.*}}bin = "\7FELF

func.func @swr_bf16(%a: tensor<4x8x4096xbf16>, %x: tensor<4x8x16x4096xbf16>) -> tensor<4x8x16x4096xbf16> {
  %e = tensor.empty() : tensor<4x8x16x4096xbf16>
  %y = swr.scan <tile = 16, hops = 1> ins(%a, %x : tensor<4x8x4096xbf16>, tensor<4x8x16x4096xbf16>)
    outs(%e : tensor<4x8x16x4096xbf16>) -> tensor<4x8x16x4096xbf16>
  return %y : tensor<4x8x16x4096xbf16>
}

func.func @exact_f32(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf32>) {
  swr.scan <tile = 64, hops = inf> reverse ins(%a, %x : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    outs(%y : memref<?x?x?x?xf32>)
  return
}
