import OVIR
import POTCore

/// An engine without an interpreter: activations come from a closure, so POTCore's pipeline and
/// algorithms can be tested hermetically.
public final class FakeEngine: Engine {
    /// `(model, sample index, statistic point) -> activation` for one sample (leading batch dim 1).
    public let activation: (CompressedModel, Int, StatisticPoint) throws -> Tensor
    public let sampleCount: Int
    /// How many times `setModel` and `predict` were called.
    public private(set) var setModelCalls = 0, predictCalls = 0
    public private(set) var model: CompressedModel?

    public init(sampleCount: Int, activation: @escaping (CompressedModel, Int, StatisticPoint) throws -> Tensor) {
        self.sampleCount = sampleCount
        self.activation = activation
    }

    public func setModel(_ model: CompressedModel) throws {
        setModelCalls += 1
        self.model = model
    }

    public func predict(statsLayout: StatsLayout?, sampler: (any Sampler)?, metricPerSample: Bool,
                        printProgress: Bool) throws -> PredictionResult {
        predictCalls += 1
        guard let model else { throw OVIRError("FakeEngine: no model set") }
        let batches: [[Int]] = sampler.map { Array($0) } ?? (0..<sampleCount).map { [$0] }
        var stats: [StatisticPoint: [String: [Tensor]]] = [:]
        for (point, fns) in statsLayout ?? [:] {
            for (name, fn) in fns {
                stats[point, default: [:]][name] = try batches.map { batch in
                    let perSample = try batch.map { try fn.compute(activation(model, $0, point)) }
                    return try Tensor(concatenating: perSample)
                }
            }
        }
        return PredictionResult(metrics: nil, perSample: nil, statistics: stats)
    }
}

extension Tensor {
    /// Concatenates f32 tensors along axis 0 (test helper).
    init(concatenating parts: [Tensor]) throws {
        guard let first = parts.first else { throw OVIRError("nothing to concatenate") }
        if parts.count == 1 { self = first; return }
        var shape = first.shape
        shape[0] = parts.reduce(0) { $0 + $1.shape[0] }
        self.init(shape: shape, scalars: parts.flatMap { $0.floatValues() })
    }
}
