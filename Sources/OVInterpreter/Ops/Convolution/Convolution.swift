/// Convolution ops (not implemented yet).
enum ConvolutionOps {
    static let definitions: [OpDefinition] = []
}
