/// One version of one op: its spec name, the opset that introduced this version, and how to
/// instantiate it for a node (attributes are parsed there, once).
public struct OpDefinition: Sendable {
    public let type: String
    /// The opset that introduced this op version (Gather-8 → 8).
    public let version: Int
    public let make: @Sendable (Node) throws -> any Kernel

    public init(_ type: String, _ version: Int, _ make: @escaping @Sendable (Node) throws -> any Kernel) {
        self.type = type
        self.version = version
        self.make = make
    }
}

/// The single list of supported ops. A layer's `version="opsetN"` resolves to the highest version of
/// its type introduced at or before N.
public enum OpRegistry {
    /// Every op definition, by family.
    public static let all: [OpDefinition] = {
        var defs: [OpDefinition] = []
        defs += IOOps.definitions
        defs += ElementwiseOps.definitions
        defs += ActivationOps.definitions
        defs += MatMulOps.definitions
        defs += ConvolutionOps.definitions
        defs += PoolingOps.definitions
        defs += ReductionOps.definitions
        defs += SoftmaxOps.definitions
        defs += NormalizationOps.definitions
        defs += ShapeOps.definitions
        defs += IndexingOps.definitions
        defs += ConvertOps.definitions
        defs += FakeQuantizeOps.definitions
        defs += InterpolateOps.definitions
        defs += SortingOps.definitions
        defs += RecurrentOps.definitions
        defs += ControlFlowOps.definitions
        defs += MiscOps.definitions
        return defs
    }()

    private static let byType: [String: [OpDefinition]] = {
        Dictionary(grouping: all, by: \.type).mapValues { $0.sorted { $0.version < $1.version } }
    }()

    /// All supported type names.
    public static var supportedTypes: [String] { byType.keys.sorted() }

    /// Versions available for a type (empty when unknown).
    public static func versions(of type: String) -> [Int] { byType[type]?.map(\.version) ?? [] }

    /// The definition for a node, or an error naming the layer, its type and version, and what exists.
    public static func resolve(_ node: Node) throws -> OpDefinition {
        guard let defs = byType[node.type] else {
            throw OVIRError(location: node.label, "unsupported op type '\(node.type)' (\(node.version)); SwiftPOT supports \(byType.count) op types, not this one")
        }
        guard let opset = node.opsetNumber else {
            throw OVIRError(location: node.label, "unsupported op version '\(node.version)'; expected opsetN (supported \(node.type) versions: \(defs.map { "opset\($0.version)" }.joined(separator: ", ")))")
        }
        guard let def = defs.last(where: { $0.version <= opset }) else {
            throw OVIRError(location: node.label, "unsupported op version \(node.type)-\(node.version); supported versions start at opset\(defs[0].version)")
        }
        return def
    }
}
