/// ControlFlow ops (not implemented yet).
enum ControlFlowOps {
    static let definitions: [OpDefinition] = []
}
