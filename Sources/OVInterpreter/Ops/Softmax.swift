/// Softmax ops (not implemented yet).
enum SoftmaxOps {
    static let definitions: [OpDefinition] = []
}
