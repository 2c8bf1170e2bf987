// A Phalanx layer's recurrence on the GPU, in the memref form that a caller
// with device buffers (PyTorch tensors, the runtime) calls directly: the
// forward SWR (tile 16, one hop, bf16 storage, per-head gates) and its
// backward dx (the reverse scan, the adjoint), plus the exact recurrence with
// an initial state. Shapes are dynamic [B, H, D, N].
//
//   swr-opt examples/phalanx_swr_gpu.mlir --swr-cuda-pipeline        (cubin)
//   swr-opt examples/phalanx_swr_gpu.mlir --swr-cuda-pipeline=format=isa
//
// Each scan becomes one kernel launch (convert-swr-to-gpu); the host code
// calls the mgpu* functions of libswr_runtime.
func.func @phalanx_forward(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                           %y: memref<?x?x?x?xbf16>)
    attributes {llvm.emit_c_interface} {
  swr.scan <tile = 16, hops = 1>
    ins(%a, %x : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>)
    outs(%y : memref<?x?x?x?xbf16>)
  return
}

func.func @phalanx_backward_dx(%a: memref<?x?x?xbf16>, %dy: memref<?x?x?x?xbf16>,
                               %dx: memref<?x?x?x?xf32>)
    attributes {llvm.emit_c_interface} {
  swr.scan <tile = 16, hops = 1> reverse
    ins(%a, %dy : memref<?x?x?xbf16>, memref<?x?x?x?xbf16>)
    outs(%dx : memref<?x?x?x?xf32>)
  return
}

func.func @exact_with_state(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                            %h0: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>)
    attributes {llvm.emit_c_interface} {
  swr.scan <tile = 64, hops = inf>
    ins(%a, %x : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
    init(%h0 : memref<?x?x?xf32>)
    outs(%y : memref<?x?x?x?xf32>)
  return
}
