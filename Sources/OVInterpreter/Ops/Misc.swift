/// Misc ops (not implemented yet).
enum MiscOps {
    static let definitions: [OpDefinition] = []
}
