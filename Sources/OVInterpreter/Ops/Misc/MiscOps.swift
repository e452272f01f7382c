/// Ops that belong to no larger family: Einsum-7, DFT-7/IDFT-7, RDFT-9/IRDFT-9, GridSample-9 and
/// ROIAlign-3/9.
enum MiscOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("Einsum", 7) { try EinsumKernel(node: $0) },
        OpDefinition("DFT", 7) { _ in DFTKernel(kind: .forward) },
        OpDefinition("IDFT", 7) { _ in DFTKernel(kind: .inverse) },
        OpDefinition("RDFT", 9) { _ in DFTKernel(kind: .realForward) },
        OpDefinition("IRDFT", 9) { _ in DFTKernel(kind: .realInverse) },
        OpDefinition("GridSample", 9) { try GridSampleKernel(node: $0) },
        OpDefinition("ROIAlign", 3) { try ROIAlignKernel(node: $0, version: 3) },
        OpDefinition("ROIAlign", 9) { try ROIAlignKernel(node: $0, version: 9) },
    ]
}
