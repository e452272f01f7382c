/// Interpolate ops (not implemented yet).
enum InterpolateOps {
    static let definitions: [OpDefinition] = []
}
