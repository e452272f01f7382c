import Foundation
import Testing
import POTCore
import _TestSupport

@Suite("POT API: config, samplers, statistics, pipeline")
struct APITests {
    @Test func configReaderRejectsMisspelledKeyWithSuggestion() throws {
        let values: [String: ConfigValue] = ["preset": "performance", "stat_subset_sise": 300]
        #expect {
            _ = try ConfigReader(values, path: "DefaultQuantization.params", known: ["preset", "stat_subset_size", "target_device"])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("stat_subset_sise") && text.contains("did you mean 'stat_subset_size'")
        }
    }

    @Test func configReaderChecksTypes() throws {
        let r = try ConfigReader(["stat_subset_size": "many", "preset": 3], path: "p", known: ["stat_subset_size", "preset"])
        #expect(throws: OVIRError.self) { _ = try r.int("stat_subset_size", default: 300) }
        #expect(throws: OVIRError.self) { _ = try r.string("preset", default: "performance") }
        let ok = try ConfigReader(["stat_subset_size": 100, "preset": "mixed"], path: "p", known: ["stat_subset_size", "preset"])
        #expect(try ok.int("stat_subset_size", default: 300) == 100)
        #expect(try ok.string("preset", default: "performance", allowed: ["performance", "mixed"]) == "mixed")
        #expect(try ok.bool("missing_is_default", default: true) == true)
    }

    @Test func configValueFromJSON() throws {
        let json = try JSONSerialization.jsonObject(with: Data(#"{"a": true, "b": 3, "c": 0.5, "d": ["x"], "e": null}"#.utf8))
        let v = try ConfigValue(json: json)
        #expect(v == ["a": true, "b": 3, "c": 0.5, "d": ["x"], "e": nil])
    }

    @Test func unknownAlgorithmIsRefusedWithSuggestion() throws {
        AlgorithmRegistry.register("MinMaxQuantization") { _ in IdentityAlgorithm() }
        let engine = FakeEngine(sampleCount: 1) { _, _, _ in Tensor(shape: [1], scalars: [0]) }
        #expect {
            _ = try createPipeline([AlgorithmConfig(name: "MinMaxQuantisation")], engine: engine)
        } throws: { String(describing: $0).contains("did you mean 'MinMaxQuantization'") }
    }

    @Test func batchSamplerBatchesInOrder() {
        let s = BatchSampler(indices: [4, 2, 9, 1, 7], batchSize: 2)
        #expect(s.count == 3)
        #expect(Array(s) == [[4, 2], [9, 1], [7]])
        #expect(Array(BatchSampler(indices: [], batchSize: 3)).isEmpty)
    }

    /// Values checked by hand and against numpy (np.quantile default 'linear').
    @Test func statisticFunctionsMatchPOTShapesAndValues() throws {
        // batch 2, channels 2, spatial 3
        let x = Tensor(shape: [2, 2, 3], scalars: [1, -5, 3, 0, 2, 4, -1, -2, -3, 10, 0, 5])
        #expect(try StatisticFunction.min().compute(x).floatValues() == [-5, -3])
        #expect(try StatisticFunction.max().compute(x).floatValues() == [4, 10])
        #expect(try StatisticFunction.absMax().compute(x).floatValues() == [5, 10])
        #expect(try StatisticFunction.min().compute(x).shape == [2])
        let pc = try StatisticFunction.max(perChannel: true).compute(x)
        #expect(pc.shape == [2, 2])
        #expect(pc.floatValues() == [3, 4, -1, 10])
        let mean = try StatisticFunction.mean(perChannel: true).compute(x).floatValues()
        #expect(mean == [-1.0 / 3.0, 2, -2, 5].map { Float($0) })
        // np.quantile([1,-5,3,0,2,4], 0.25) == 0.25
        #expect(try StatisticFunction.quantile(0.25).compute(x).floatValues()[0] == 0.25)
        // |x| of sample 1 = [1,2,3,10,0,5]; np.quantile(..., 0.9) == 7.5
        #expect(try StatisticFunction.absQuantile(0.9).compute(x).floatValues()[1] == 7.5)
        // rank < 3 per-channel returns the activation itself; rank < 2 per-tensor gives shape [1]
        let v = Tensor(shape: [3], scalars: [2, -7, 1])
        #expect(try StatisticFunction.max(perChannel: true).compute(v).floatValues() == [2, -7, 1])
        #expect(try StatisticFunction.absMax().compute(v).shape == [1])
        #expect(try StatisticFunction.custom { $0 }.compute(v).floatValues() == [2, -7, 1])
    }

    @Test func pipelineRunsAlgorithmsInOrderOnACopy() throws {
        let b = GraphBuilder()
        b.result(b.op("Relu", [b.parameter("x", .f32, [1, 2])], version: "opset1"))
        let model = CompressedModel(name: "m", models: [NamedModel(name: "m", graph: b.graph)])
        let engine = FakeEngine(sampleCount: 3) { _, i, _ in Tensor(shape: [1, 2], scalars: [Float(i), -Float(i)]) }
        let tagger = TaggingAlgorithm()
        AlgorithmRegistry.register("Tagging") { _ in tagger }
        let out = try createPipeline([AlgorithmConfig(name: "Tagging")], engine: engine).run(model)
        #expect(out.graph.name == "m-tagged")
        #expect(model.graph.name == "test")   // the input model is untouched
        #expect(tagger.seenMax == [[0, 1, 2]])
    }
}

final class IdentityAlgorithm: Algorithm {
    var name: String { "Identity" }
    func run(_ model: CompressedModel, engine: any Engine) throws -> CompressedModel { model }
}

/// Collects one statistic through the engine and renames the graph.
final class TaggingAlgorithm: Algorithm, @unchecked Sendable {
    var name: String { "Tagging" }
    var seenMax: [[Float]] = []
    func run(_ model: CompressedModel, engine: any Engine) throws -> CompressedModel {
        try engine.setModel(model)
        let r = try engine.predict(statsLayout: ["x": ["max": .max()]], sampler: nil, metricPerSample: false, printProgress: false)
        seenMax.append(r.statistics["x"]?["max"]?.flatMap { $0.floatValues() } ?? [])
        model.models[0].graph.name = "m-tagged"
        return model
    }
}
