/// Convert ops (not implemented yet).
enum ConvertOps {
    static let definitions: [OpDefinition] = []
}
