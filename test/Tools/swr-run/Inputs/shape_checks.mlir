// The reproducers of issue 15 (2 and 3): sizes reach swr.scan through a
// view and through a call, where the manifest's constraints cannot follow.
func.func @through_view(%a: memref<?x?x?xf32>, %xs: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf32>) {
  %x = memref.transpose %xs (i, j, k, l) -> (i, k, l, j) : memref<?x?x?x?xf32> to memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>
  swr.scan <tile = 4, hops = inf> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32, strided<[?, ?, 1, ?]>>) outs(%y : memref<?x?x?x?xf32>)
  return
}

func.func private @inner(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf32>) {
  swr.scan <tile = 4, hops = inf> ins(%a, %x : memref<?x?x?xf32>, memref<?x?x?x?xf32>) outs(%y : memref<?x?x?x?xf32>)
  return
}

func.func @through_call(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %y: memref<?x?x?x?xf32>) {
  call @inner(%a, %x, %y) : (memref<?x?x?xf32>, memref<?x?x?x?xf32>, memref<?x?x?x?xf32>) -> ()
  return
}
