/// Sorting ops (not implemented yet).
enum SortingOps {
    static let definitions: [OpDefinition] = []
}
