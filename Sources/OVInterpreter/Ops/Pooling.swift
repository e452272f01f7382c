/// Pooling ops (not implemented yet).
enum PoolingOps {
    static let definitions: [OpDefinition] = []
}
