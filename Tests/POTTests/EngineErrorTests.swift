import Foundation
import Testing
import POT
import _TestSupport

/// Bad data stops `predict` with an error naming the sample index and the input.
@Suite("POT API: data errors and parameter errors")
struct EngineErrorTests {
    struct Boom: Error, CustomStringConvertible { var description: String { "disk on fire" } }

    /// The digits, except that sample `bad` is replaced by `make(good)` (or throws when nil).
    struct Faulty: DataLoader {
        let base: DigitsLoader
        let bad: Int
        let make: (@Sendable (Tensor) -> ModelInput)?
        var count: Int { base.count }
        func item(at i: Int) throws -> DataItem<Int> {
            var item = try base.item(at: i)
            guard i == bad else { return item }
            guard let make, case .tensor(let t) = item.data else { throw Boom() }
            item.data = make(t)
            return item
        }
    }

    static func failure(_ make: (@Sendable (Tensor) -> ModelInput)?, batchSize: Int = 1) throws -> (String?, Top1Metric) {
        let metric = Top1Metric()
        let engine = IEEngine(dataLoader: Faulty(base: try DigitsLoader.load(), bad: 3, make: make), metric: metric)
        try engine.setModel(try digitsModel())
        let text = errorText {
            _ = try engine.predict(statsLayout: ["relu1": ["max": .max()]],
                                   sampler: BatchSampler(indices: Array(0..<8), batchSize: batchSize))
        }
        return (text, metric)
    }

    @Test(arguments: [1, 2])
    func throwingLoaderNamesTheSample(batchSize: Int) throws {
        let (text, metric) = try Self.failure(nil, batchSize: batchSize)
        let t = try #require(text)
        #expect(t.contains("sample 3") && t.contains("disk on fire"), "\(t)")
        #expect(metric.updates == (batchSize == 1 ? 3 : 2))   // stopped at the failing sample's batch
    }

    @Test(arguments: [1, 2])
    func wrongInputName(batchSize: Int) throws {
        let t = try #require(try Self.failure({ .named(["pixels": $0]) }, batchSize: batchSize).0)
        #expect(t.contains("sample 3") && t.contains("'pixels'") && t.contains("'x'"), "\(t)")
    }

    @Test(arguments: [1, 2])
    func wrongShape(batchSize: Int) throws {
        let t = try #require(try Self.failure({ t in .tensor((try? t.reshaped([1, 64])) ?? t) }, batchSize: batchSize).0)
        #expect(t.contains("sample 3") && t.contains("'x'") && t.contains("[1, 64]"), "\(t)")
    }

    @Test(arguments: [1, 2])
    func wrongElementType(batchSize: Int) throws {
        let t = try #require(try Self.failure({ t in .tensor(Tensor(shape: t.shape, scalars: t.floatValues().map { Double($0) })) },
                                              batchSize: batchSize).0)
        #expect(t.contains("sample 3") && t.contains("'x'") && t.contains("f64"), "\(t)")
    }

    @Test func missingInputNamesIt() throws {
        let t = try #require(try Self.failure({ _ in .named([:]) }).0)
        #expect(t.contains("sample 3") && t.contains("'x'") && t.contains("missing"), "\(t)")
    }

    /// After a failed run the engine runs again normally.
    @Test func engineRecoversAfterAnError() throws {
        let loader = try DigitsLoader.load()
        let engine = IEEngine(dataLoader: Faulty(base: loader, bad: 3, make: nil), metric: Top1Metric())
        try engine.setModel(try digitsModel())
        #expect(errorText { _ = try engine.predict() } != nil)
        let ok = try engine.predict(sampler: BatchSampler(indices: [0, 1, 2], batchSize: 2))
        #expect(ok.metrics == ["top1": 1])
    }

    @Test func misspelledDefaultQuantizationParameter() throws {
        let engine = IEEngine(dataLoader: try DigitsLoader.load(), metric: Top1Metric())
        let t = errorText {
            _ = try createPipeline([AlgorithmConfig(name: "DefaultQuantization",
                                                    params: ["preset": "performance", "stat_subset_sise": 300])], engine: engine)
        }
        #expect(t?.contains("'stat_subset_sise'") == true && t?.contains("did you mean 'stat_subset_size'") == true, "\(t ?? "no error")")
        let ill = errorText {
            _ = try createPipeline([AlgorithmConfig(name: "DefaultQuantization", params: ["stat_subset_size": "all"])], engine: engine)
        }
        #expect(ill?.contains("stat_subset_size") == true, "\(ill ?? "no error")")
        let algo = errorText { _ = try createPipeline([AlgorithmConfig(name: "DefaultQuantisation")], engine: engine) }
        #expect(algo?.contains("did you mean 'DefaultQuantization'") == true, "\(algo ?? "no error")")
    }
}
