/// Normalization ops (not implemented yet).
enum NormalizationOps {
    static let definitions: [OpDefinition] = []
}
