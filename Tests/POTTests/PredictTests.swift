import Foundation
import Testing
import POT
import _TestSupport

/// `IEEngine.predict` on the interpreter against OpenVINO: the metric from OpenVINO's outputs and
/// the statistics computed by numpy as POT does on OpenVINO's intermediate tensors
/// (fixtures/pot/digits/predict_expected.json, made by scripts/make_pot_api_fixtures.py).
@Suite("POT API: predict against OpenVINO")
struct PredictTests {
    struct Expected: Decodable {
        struct Stat: Decodable { let shape: [Int]; let values: [Double] }
        let samples: [Int]
        let batch_size: Int
        let top1: Double
        let per_sample: [Double]
        let stats: [String: [String: [Stat]]]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Fixtures.url("pot/digits/predict_expected.json")))
    }

    /// The same names as the script's STATS table.
    static let functions: [String: StatisticFunction] = [
        "min": .min(), "max": .max(), "mean": .mean(), "abs_max": .absMax(),
        "q90": .quantile(0.9), "abs_q99": .absQuantile(0.99),
        "min_pc": .min(perChannel: true), "max_pc": .max(perChannel: true), "mean_pc": .mean(perChannel: true),
        "abs_max_pc": .absMax(perChannel: true), "q10_pc": .quantile(0.1, perChannel: true),
    ]

    @Test func metricAndStatisticsMatchOpenVINOAndNumpy() throws {
        let exp = try Self.expected()
        let loader = try DigitsLoader.load()
        let metric = Top1Metric()
        let engine = IEEngine(dataLoader: loader, metric: metric)
        try engine.setModel(try digitsModel())
        var layout: StatsLayout = [:]
        for node in exp.stats.keys { layout[StatisticPoint(node: node)] = Self.functions }
        let sampler = BatchSampler(dataLoader: loader, batchSize: exp.batch_size, subsetIndices: exp.samples)
        #expect(sampler.count == 4)
        let r = try engine.predict(statsLayout: layout, sampler: sampler, metricPerSample: true, printProgress: false)

        #expect(r.metrics == ["top1": exp.top1])
        #expect(metric.updates == exp.samples.count)
        let perSample = try #require(r.perSample)
        #expect(perSample == zip(exp.samples, exp.per_sample).map { SampleMetric(sampleID: $0, metricName: "top1", result: $1) })

        #expect(Set(r.statistics.keys) == Set(exp.stats.keys.map { StatisticPoint(node: $0) }))
        for (node, byName) in exp.stats {
            for (name, batches) in byName {
                let got = try #require(r.statistics[StatisticPoint(node: node)]?[name], "\(node) \(name)")
                try #require(got.count == batches.count, "\(node) \(name): one value per batch")
                for (k, (t, e)) in zip(got, batches).enumerated() {
                    expectClose(t, shape: e.shape, values: e.values, "\(node) \(name) batch \(k)")
                }
            }
        }
    }

    /// A string literal names a node's port 0; statistics do not change the model's outputs.
    @Test func statisticPointLiteralAndUnchangedOutputs() throws {
        let loader = try DigitsLoader.load()
        let plain = IEEngine(dataLoader: loader, metric: Top1Metric())
        try plain.setModel(try digitsModel())
        let watched = IEEngine(dataLoader: loader, metric: Top1Metric())
        try watched.setModel(try digitsModel())
        let point: StatisticPoint = "relu1"
        #expect(point == StatisticPoint(node: "relu1", port: 0))
        let subset = BatchSampler(dataLoader: loader, subsetIndices: Array(0..<10))
        let a = try plain.predict(sampler: subset)
        let b = try watched.predict(statsLayout: [point: ["max": .max()], "probs": ["min": .min()]], sampler: subset)
        #expect(a.metrics == b.metrics)
        #expect(a.statistics.isEmpty)
        #expect(b.statistics[point]?["max"]?.count == 10)
        // "probs" names the Softmax layer; its statistic is the output the metric sees.
        #expect(b.statistics["probs"]?["min"]?.allSatisfy { $0.shape == [1] } == true)
    }

    /// Every defaulted form of `predict` compiles and runs, on the engine and through `any Engine`.
    @Test func predictDefaultArgumentForms() throws {
        let loader = try DigitsLoader.load()
        let engine = IEEngine(dataLoader: loader, metric: Top1Metric())
        try engine.setModel(try digitsModel())
        let few = BatchSampler(dataLoader: loader, batchSize: 3, subsetIndices: [0, 1, 2, 3])
        let all = try engine.predict()
        #expect(all.metrics?["top1"] != nil && all.perSample == nil && all.statistics.isEmpty)
        #expect(try engine.predict(statsLayout: ["relu1": ["m": .mean()]]).statistics["relu1"]?["m"]?.count == loader.count)
        #expect(try engine.predict(sampler: few).metrics?["top1"] == 1)
        #expect(try engine.predict(metricPerSample: true).perSample?.count == loader.count)
        #expect(try engine.predict(printProgress: false).metrics == all.metrics)
        let erased: any Engine = engine
        #expect(try erased.predict().metrics == all.metrics)
        #expect(try erased.predict(sampler: few).statistics.isEmpty)
        #expect(try erased.predict(statsLayout: nil, sampler: few, metricPerSample: true, printProgress: false).perSample?.count == 4)
    }

    /// `IEEngine(dataLoader:)` collects statistics without a metric; `metrics` is nil.
    @Test func statisticsOnlyEngine() throws {
        let loader = try DigitsLoader.load()
        let engine = IEEngine(dataLoader: loader)
        try engine.setModel(try digitsModel())
        let r = try engine.predict(statsLayout: ["conv2/add": ["c": .custom { $0 }]],
                                   sampler: BatchSampler(dataLoader: loader, batchSize: 2, subsetIndices: [7, 8, 11]))
        #expect(r.metrics == nil && r.perSample == nil)
        // .custom receives the activation; a batch of 2 run sample by sample is joined along axis 0.
        #expect(r.statistics["conv2/add"]?["c"]?.map(\.shape) == [[2, 16, 4, 4], [1, 16, 4, 4]])
    }

    @Test func engineConfigRefusesOtherDevices() throws {
        let engine = IEEngine(config: EngineConfig(device: "GPU"), dataLoader: try DigitsLoader.load())
        let text = errorText { try engine.setModel(try digitsModel()) }
        #expect(text?.contains("'GPU'") == true)
        #expect(EngineConfig().device == "CPU" && EngineConfig().threads == nil)
    }
}
