#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A model being compressed: one graph, or several for a cascade (POT's `CompressedModel`).
public final class CompressedModel {
    /// One member for a single model; several for a cascade, in configuration order.
    public var models: [NamedModel]
    /// The model name (`model_name`).
    public var name: String
    /// Whether this model has several members (POT's `is_cascade`).
    public var isCascade: Bool { models.count > 1 }

    /// A model from graphs already in memory.
    public init(name: String, models: [NamedModel]) {
        self.name = name
        self.models = models
    }

    /// The only member's graph (the first member's for a cascade).
    public var graph: Graph { models[0].graph }

    /// The member with this name.
    public func member(_ name: String) -> NamedModel? { models.first { $0.name == name } }

    /// A deep copy (algorithms edit copies, as POT deep-copies models).
    public func copy() -> CompressedModel {
        CompressedModel(name: name, models: models.map { NamedModel(name: $0.name, graph: $0.graph.copy()) })
    }
}

/// One member of a ``CompressedModel``: its name (the model name for single models) and graph.
public struct NamedModel {
    /// The cascade member name (`name` in the cascade config), or the model name.
    public var name: String
    /// The member's graph.
    public var graph: Graph
    public init(name: String, graph: Graph) {
        self.name = name
        self.graph = graph
    }
}

/// Where to load a model from (POT's `model_config`).
public struct ModelConfig: Sendable {
    /// `model_name`: the default file stem of ``saveModel(_:savePath:modelName:forStatCollection:)``.
    public var modelName: String
    /// The files to load: one member for a single model, in cascade order otherwise.
    public var members: [CascadeMember]
    /// Whether this describes a cascade (made with `init(modelName:cascade:)`).
    public var isCascade: Bool

    /// A single model; weights default to the `.bin` with the same stem.
    public init(modelName: String, model: String, weights: String? = nil) {
        self.modelName = modelName
        self.members = [CascadeMember(name: modelName, model: model, weights: weights)]
        self.isCascade = false
    }

    /// A cascade of named members (POT's `cascade` list). Member names must differ; members run in
    /// this order and chain by tensor name (see `IEEngine`).
    public init(modelName: String, cascade: [CascadeMember]) {
        self.modelName = modelName
        self.members = cascade
        self.isCascade = true
    }
}

/// One member of a cascade: its name and IR files.
public struct CascadeMember: Sendable {
    /// The member name (`pnet`, `rnet`, …), used in saved file names.
    public var name: String
    /// Path of the `.xml`.
    public var model: String
    /// Path of the `.bin`; nil means the `.bin` beside the `.xml` with the same stem.
    public var weights: String?
    public init(name: String, model: String, weights: String? = nil) {
        self.name = name
        self.model = model
        self.weights = weights
    }
}

/// Paths of one saved IR.
public struct SavedModel: Sendable, CustomStringConvertible {
    /// The cascade member name (nil for a single model).
    public var name: String?
    /// Path of the written `.xml`.
    public var model: String
    /// Path of the written `.bin`.
    public var weights: String
    public var description: String {
        "{" + (name.map { "name: \($0), " } ?? "") + "model: \(model), weights: \(weights)}"
    }
}

/// Loads a model (or every member of a cascade) from OpenVINO IR (POT's `load_model`). Errors name
/// the file and, for a cascade, a duplicated member name.
public func loadModel(_ config: ModelConfig) throws -> CompressedModel {
    guard !config.members.isEmpty else { throw OVIRError("model config '\(config.modelName)': a cascade needs at least one member") }
    if config.isCascade {
        let names = config.members.map(\.name)
        if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw OVIRError("model config '\(config.modelName)': cascade member name '\(dup)' is used twice")
        }
    }
    let models = try config.members.map { m in
        NamedModel(name: m.name, graph: try IRReader.read(xmlPath: m.model, binPath: m.weights))
    }
    return CompressedModel(name: config.modelName, models: models)
}

/// Saves each member as IR v11 under `savePath`: `<modelName>.xml` for a single model,
/// `<modelName>_<member>.xml` for each cascade member (POT's names). Writes are atomic.
///
/// `forStatCollection` is accepted for POT compatibility; SwiftPOT's engine observes any node
/// without extra outputs, so it changes nothing.
public func saveModel(_ model: CompressedModel, savePath: String, modelName: String? = nil,
                      forStatCollection: Bool = false) throws -> [SavedModel] {
    let base = modelName ?? model.name
    try FileManager.default.createDirectory(atPath: savePath, withIntermediateDirectories: true)
    var saved: [SavedModel] = []
    for m in model.models {
        let stem = model.isCascade ? "\(base)_\(m.name)" : base
        let xml = appendingPathComponent(savePath, stem + ".xml")
        let bin = appendingPathComponent(savePath, stem + ".bin")
        try IRWriter.write(m.graph, xmlPath: xml, binPath: bin)
        saved.append(SavedModel(name: model.isCascade ? m.name : nil, model: xml, weights: bin))
    }
    return saved
}
