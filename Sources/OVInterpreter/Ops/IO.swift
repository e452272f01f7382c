/// Parameter, Const and Result (opset1). The compiled model handles them itself; they are listed
/// here so the registry names every op SwiftPOT accepts.
enum IOOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("Parameter", 1) { node in throw OVIRError(location: node.label, "Parameter is not executed") },
        OpDefinition("Const", 1) { node in throw OVIRError(location: node.label, "Const is not executed") },
        OpDefinition("Result", 1) { node in throw OVIRError(location: node.label, "Result is not executed") },
    ]

    /// A Parameter's element type and shape, from its `<data>` (element_type, shape), falling back to its output port.
    static func parameterType(_ node: Node) throws -> (ElementType, PartialShape) {
        let port = node.outputs.first
        var type = port?.elementType
        if let et = node.attributes["element_type"] {
            guard let t = ElementType(irName: et) else {
                throw OVIRError(location: node.label, "unsupported element_type '\(et)'; expected one of \(ElementType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            type = t
        }
        guard let type else { throw OVIRError(location: node.label, "Parameter has no element type") }
        return (type, port?.shape ?? .dynamicRank)
    }
}
