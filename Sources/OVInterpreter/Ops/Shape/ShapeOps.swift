/// ShapeOps ops (not implemented yet).
enum ShapeOps {
    static let definitions: [OpDefinition] = []
}
