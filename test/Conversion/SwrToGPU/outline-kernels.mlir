// RUN: swr-opt %s --swr-gpu-outline-kernels | FileCheck %s
// RUN: swr-opt %s --swr-gpu-outline-kernels --nvvm-attach-target="chip=sm_90a" \
// RUN:   --convert-gpu-to-nvvm --gpu-to-llvm --gpu-module-to-binary="format=isa" \
// RUN:   | %python %swr_src/scripts/extract_ptx.py | FileCheck %s --check-prefix=PTX

// Every launch is outlined (upstream's gpu-kernel-outlining); a launch
// marked swr.min_blocks_per_sm gets a kernel of its own name, unique,
// with nvvm.minctasm, which the PTX states as .minnctapersm next to the
// .maxntid of the known block size. A launch that names its kernel keeps
// the name. A launch marked swr.dependent_launch gets a kernel whose name
// ends with "_dependent" (SWR_DEPENDENT_KERNEL_SUFFIX: the runtime launches
// it as a programmatic dependent), unique, bounded or not; a name it gives
// gets the suffix. The marks do not stay on the host.

// CHECK-LABEL: func.func @f
//       CHECK:   gpu.launch_func @f_kernel::@f_kernel
//       CHECK:   gpu.launch_func @f_bounded_kernel::@f_bounded_kernel
//       CHECK:   gpu.launch_func @f_bounded_kernel_0::@f_bounded_kernel_0
//       CHECK:   gpu.launch_func @mine::@mine
//       CHECK:   gpu.launch_func @f_bounded_kernel_dependent::@f_bounded_kernel_dependent
//       CHECK:   gpu.launch_func @f_kernel_dependent::@f_kernel_dependent
//       CHECK:   gpu.launch_func @f_kernel_0_dependent::@f_kernel_0_dependent
//       CHECK:   gpu.launch_func @theirs_dependent::@theirs_dependent
//   CHECK-NOT:   swr.min_blocks_per_sm
//   CHECK-NOT:   swr.dependent_launch
//       CHECK: gpu.module @f_kernel
//       CHECK:   gpu.func @f_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 1, 1, 1>} {
//       CHECK: gpu.module @f_bounded_kernel
//       CHECK:   gpu.func @f_bounded_kernel({{.*}}) kernel attributes {{{.*}}nvvm.minctasm = 2 : i32
//       CHECK: gpu.module @f_bounded_kernel_0
//       CHECK:   gpu.func @f_bounded_kernel_0({{.*}}) kernel attributes {{{.*}}nvvm.minctasm = 3 : i32
//       CHECK: gpu.module @mine
//       CHECK:   gpu.func @mine({{.*}}) kernel attributes {{{.*}}nvvm.minctasm = 1 : i32
//       CHECK: gpu.module @f_bounded_kernel_dependent
//       CHECK:   gpu.func @f_bounded_kernel_dependent({{.*}}) kernel attributes {{{.*}}nvvm.minctasm = 2 : i32
//       CHECK: gpu.module @f_kernel_dependent
//       CHECK:   gpu.func @f_kernel_dependent({{.*}}) kernel attributes
//   CHECK-NOT:   nvvm.minctasm
//       CHECK:   nvvm.griddepcontrol wait

// PTX: .entry f_kernel(
// PTX-NOT: .minnctapersm
// PTX: .entry f_bounded_kernel(
// PTX: .maxntid 256, 1, 1
// PTX-NEXT: .minnctapersm 2
// PTX: .entry f_bounded_kernel_0(
// PTX: .minnctapersm 3
// PTX: .entry mine(
// PTX: .minnctapersm 1
// PTX: .entry f_bounded_kernel_dependent(
// PTX: .minnctapersm 2
// PTX: .entry f_kernel_dependent(
// PTX-NOT: .minnctapersm
// PTX: griddepcontrol.wait;
func.func @f(%m: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %m[%tx] : memref<?xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %m[%tx] : memref<?xf32>
    gpu.terminator
  } {swr.min_blocks_per_sm = 2 : i32}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %m[%tx] : memref<?xf32>
    gpu.terminator
  } {swr.min_blocks_per_sm = 3 : i32}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %m[%tx] : memref<?xf32>
    gpu.terminator
  } {function = @mine, swr.min_blocks_per_sm = 1 : i32}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %m[%tx] : memref<?xf32>
    gpu.terminator
  } {swr.dependent_launch, swr.min_blocks_per_sm = 2 : i32}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    nvvm.griddepcontrol wait
    memref.store %one, %m[%tx] : memref<?xf32>
    gpu.terminator
  } {swr.dependent_launch}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %m[%tx] : memref<?xf32>
    gpu.terminator
  } {swr.dependent_launch}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %m[%tx] : memref<?xf32>
    gpu.terminator
  } {function = @theirs, swr.dependent_launch}
  return
}
