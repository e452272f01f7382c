/// A compression algorithm: declares and collects the statistics it needs through the engine, then
/// returns the transformed model. Algorithms never edit their input model in place.
public protocol Algorithm: AnyObject {
    /// The registered name ("MinMaxQuantization", …).
    var name: String { get }
    /// Runs the algorithm on `model` with `engine` (which computes statistics on the model it is given).
    func run(_ model: CompressedModel, engine: any Engine) throws -> CompressedModel
}

/// Algorithms by name. Each factory parses its parameters strictly (unknown or ill-typed keys are
/// errors naming the key).
public enum AlgorithmRegistry {
    public typealias Factory = @Sendable (AlgorithmConfig) throws -> any Algorithm

    /// Every algorithm `createPipeline` accepts.
    public static var factories: [String: Factory] { builtIn }

    nonisolated(unsafe) static var builtIn: [String: Factory] = [:]

    /// Registers (or replaces) an algorithm. Call before creating pipelines.
    public static func register(_ name: String, _ factory: @escaping Factory) { builtIn[name] = factory }

    static func make(_ config: AlgorithmConfig) throws -> any Algorithm {
        registerBuiltIns()
        guard let f = builtIn[config.name] else {
            let names = builtIn.keys.sorted()
            let hint = closestName(to: config.name, in: names).map { "; did you mean '\($0)'?" } ?? ""
            throw OVIRError("unknown algorithm '\(config.name)'\(hint) (available: \(names.joined(separator: ", ")))")
        }
        return try f(config)
    }

    /// Adds the algorithms that ship with SwiftPOT (idempotent).
    static func registerBuiltIns() {
        for (name, factory) in BuiltInAlgorithms.all where builtIn[name] == nil { builtIn[name] = factory }
    }
}

/// Runs algorithms in order on a model and evaluates models with the engine (POT's `Pipeline`).
public final class Pipeline {
    /// The algorithms, in application order.
    public let algorithms: [any Algorithm]
    /// The engine the algorithms collect statistics with and `evaluate` runs.
    public let engine: any Engine

    init(algorithms: [any Algorithm], engine: any Engine) {
        self.algorithms = algorithms
        self.engine = engine
    }

    /// Applies every algorithm in list order to a copy of `model`.
    public func run(_ model: CompressedModel) throws -> CompressedModel {
        var current = model.copy()
        for algorithm in algorithms {
            current = try algorithm.run(current, engine: engine)
        }
        return current
    }

    /// The engine's metrics on `model` over the whole dataset; nil without a metric.
    public func evaluate(_ model: CompressedModel) throws -> [String: Double]? {
        try engine.setModel(model)
        return try engine.predict(statsLayout: nil, sampler: nil, metricPerSample: false, printProgress: false).metrics
    }
}

/// Builds a pipeline; unknown algorithm names and unknown or ill-typed parameters are errors.
public func createPipeline(_ algorithms: [AlgorithmConfig], engine: any Engine) throws -> Pipeline {
    Pipeline(algorithms: try algorithms.map { try AlgorithmRegistry.make($0) }, engine: engine)
}
