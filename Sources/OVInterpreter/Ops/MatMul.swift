/// MatMul ops (not implemented yet).
enum MatMulOps {
    static let definitions: [OpDefinition] = []
}
