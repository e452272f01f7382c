/// FakeQuantize ops (not implemented yet).
enum FakeQuantizeOps {
    static let definitions: [OpDefinition] = []
}
