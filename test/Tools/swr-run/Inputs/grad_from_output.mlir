// The exact scan's backward from its output, per-head gates, h0 (used by
// grad-from-output.test).
func.func @grad(%a: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
                %h: memref<?x?x?xf32>, %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?xf32>,
                %dh: memref<?x?x?xf32>) {
  swr.scan_grad <tile = 16, hops = inf> from_output
      ins(%a, %y, %dy : memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>)
      init(%h : memref<?x?x?xf32>)
      outs(%dx, %da : memref<?x?x?x?xf32>, memref<?x?x?xf32>)
      grad_init(%dh : memref<?x?x?xf32>)
  return
}
