/// Elementwise ops (not implemented yet).
enum ElementwiseOps {
    static let definitions: [OpDefinition] = []
}
