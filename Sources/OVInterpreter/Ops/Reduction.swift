/// Reduction ops (not implemented yet).
enum ReductionOps {
    static let definitions: [OpDefinition] = []
}
