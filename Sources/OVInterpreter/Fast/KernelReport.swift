extension CompiledModel {
    /// The kernel chosen for each planned node (`ref`, `blas.sgemm`, `simd.depthwise`, …), by node
    /// name: lets tests check that a fast kernel claimed the node they exercise.
    package var kernelNamesByNode: [String: String] {
        Dictionary(steps.map { ($0.node.name, $0.kernel.kernelName) }, uniquingKeysWith: { a, _ in a })
    }
}
