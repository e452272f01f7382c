extension CompiledModel {
    /// The kernel chosen for each planned node (`ref`, `blas.sgemm`, `simd.depthwise`, …), by node
    /// name: lets tests check that a fast kernel claimed the node they exercise.
    package var kernelNamesByNode: [String: String] {
        // The kernel a run that observes nothing uses (a lean variant skipping unread outputs, if any).
        Dictionary(steps.enumerated().map { ($1.node.name, (leanKernels[$0]?.kernel ?? $1.kernel).kernelName) },
                   uniquingKeysWith: { a, _ in a })
    }
}

extension CompiledModel {
    /// Names of the convolutions whose constant weights were packed when compiling (the packed
    /// copy replacing the constant).
    package var prepackedConvolutions: Set<String> {
        Set(steps.filter { s in s.inputSlots.count == 2 && prepacked[s.inputSlots[1]] === s.kernel }.map(\.node.name))
    }

    /// Convolutions that run with their bias Add (+ PReLU) fused in, by convolution node name, with
    /// the absorbed ops (`Add`, `Add+PReLU`): lets tests check that a chain was fused.
    package var fusedConvolutions: [String: String] {
        Dictionary(fusions.map { (steps[$0.key].node.name, $0.value.label) }, uniquingKeysWith: { a, _ in a })
    }
}
