/// Recurrent ops (not implemented yet).
enum RecurrentOps {
    static let definitions: [OpDefinition] = []
}
