/// Activation ops (not implemented yet).
enum ActivationOps {
    static let definitions: [OpDefinition] = []
}
