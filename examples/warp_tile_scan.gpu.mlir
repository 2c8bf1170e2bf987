// A hand-written GPU kernel that shows the NVVM path of this machine works:
// one warp scans one 32-position tile of y_t = a_t * y_{t-1} + x_t from a zero
// state (hops = 0, tile = 32) with a Hillis-Steele scan over warp shuffles of
// the pairs (a, y), which compose as (a1, y1) then (a2, y2) = (a1 a2, a2 y1 + y2).
//
//   swr-opt examples/warp_tile_scan.gpu.mlir \
//     --pass-pipeline='builtin.module(gpu.module(convert-gpu-to-nvvm),reconcile-unrealized-casts,gpu-module-to-binary{format=isa})'
//
// prints PTX for sm_90a (in the gpu.binary's assembly).
module attributes {gpu.container_module} {
  gpu.module @kernels [#nvvm.target<chip = "sm_90a", features = "+ptx80">] {
    gpu.func @warp_tile_scan(%a: memref<?xf32>, %x: memref<?xf32>, %y: memref<?xf32>) kernel {
      %lane = gpu.thread_id x
      %block = gpu.block_id x
      %c32 = arith.constant 32 : index
      %base = arith.muli %block, %c32 : index
      %i = arith.addi %base, %lane : index
      %a0 = memref.load %a[%i] : memref<?xf32>
      %y0 = memref.load %x[%i] : memref<?xf32>
      %lane32 = arith.index_cast %lane : index to i32
      %width = arith.constant 32 : i32
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c5 = arith.constant 5 : index
      %one = arith.constant 1 : i32
      %res:2 = scf.for %step = %c0 to %c5 step %c1 iter_args(%ga = %a0, %gy = %y0) -> (f32, f32) {
        %s32 = arith.index_cast %step : index to i32
        %offset = arith.shli %one, %s32 : i32
        %pa, %va = gpu.shuffle up %ga, %offset, %width : f32
        %py, %vy = gpu.shuffle up %gy, %offset, %width : f32
        %inRange = arith.cmpi uge, %lane32, %offset : i32
        %ny0 = arith.mulf %ga, %py : f32
        %ny = arith.addf %ny0, %gy : f32
        %na = arith.mulf %ga, %pa : f32
        %ra = arith.select %inRange, %na, %ga : f32
        %ry = arith.select %inRange, %ny, %gy : f32
        scf.yield %ra, %ry : f32, f32
      }
      memref.store %res#1, %y[%i] : memref<?xf32>
      gpu.return
    }
  }
}
