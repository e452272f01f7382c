/// Indexing ops (not implemented yet).
enum IndexingOps {
    static let definitions: [OpDefinition] = []
}
