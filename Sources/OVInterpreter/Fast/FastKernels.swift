/// Fast kernels claim the nodes they support; everything else runs its reference kernel.
///
/// `select` sees the node, its reference kernel (with parsed attributes) and the compile-time
/// input/output infos (constant inputs carry their values). It returns a kernel that computes the
/// same outputs, or nil to keep the reference. Each fast kernel's `claim` checks element types,
/// ranks and attributes, and delegates shape inference to the reference kernel.
enum FastKernels {
    typealias Claimer = @Sendable (Node, any Kernel, [ValueInfo], [ValueInfo]) throws -> (any Kernel)?

    /// Each entry tries to claim a node; the first that returns a kernel wins.
    static let claimers: [Claimer] = [
        BLASMatMulKernel.claim,
        GemmConvolutionKernel.claim,
        DepthwiseConvKernel.claim,
        SIMDBinaryKernel.claim,
        SIMDActivationKernel.claim,
        SIMDSwishKernel.claim,
        SIMDUnaryMathKernel.claim,
        SIMDPReLUKernel.claim,
        SIMDSoftmaxKernel.claim,
        SIMDMVNKernel.claim,
        SIMDBatchNormKernel.claim,
        SIMDFakeQuantizeKernel.claim,
        DirectPoolKernel.claim,
        Direct3DPoolKernel.claim,
        FastInterpolateKernel.claim,
        FastReduceKernel.claim,
        FastTransposeKernel.claim,
        GemmDeconvolutionKernel.claim,
        FastRecurrentKernel.claim,
    ]

    static func select(node: Node, reference: any Kernel, inputs: [ValueInfo], outputs: [ValueInfo]) throws -> (any Kernel)? {
        for claim in claimers {
            if let k = try claim(node, reference, inputs, outputs) { return k }
        }
        return nil
    }
}
