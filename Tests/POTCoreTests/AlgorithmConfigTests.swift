import Foundation
import Testing
import POTCore
import _TestSupport

@Suite("Quantization parameters, presets and sampling")
struct AlgorithmConfigTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return String(describing: error) }
        return ""
    }

    @Test func defaultsAreLikePOT() throws {
        let p = try QuantizationParams([:], algorithm: "DefaultQuantization")
        #expect(p.preset == .performance && p.targetDevice == .cpu && p.statSubsetSize == nil)
        #expect(p.statBatchSize == 1 && !p.shuffleData && p.seed == 0 && p.saturationFix == .firstLayer && p.useFastBias)
        #expect(p.biasThreshold == 2.0)
        #expect(p.subsetIndices(datasetSize: 5) == [0, 1, 2, 3, 4])
        // BiasCorrection (use_fast_bias: false): threshold 1000, its own sampler over a fifth of the subset
        var bc = try QuantizationParams(["use_fast_bias": false, "stat_subset_size": 300], algorithm: "DefaultQuantization")
        #expect(!bc.useFastBias && bc.biasThreshold == 1000)
        #expect(BiasCorrection.sampleIndices(bc, datasetSize: 50) == Array(0..<10))
        #expect(BiasCorrection.sampleIndices(bc, datasetSize: 3) == [0])
        bc.shuffleData = true
        bc.seed = 0
        // Python: random.seed(0); random.sample(range(50), 10)
        #expect(BiasCorrection.sampleIndices(bc, datasetSize: 50) == [24, 48, 26, 2, 16, 32, 31, 25, 19, 30])
    }

    @Test func unknownKeysNameTheClosestValidOne() {
        let m = message { _ = try QuantizationParams(["stat_subset_sise": 10], algorithm: "DefaultQuantization") }
        #expect(m.contains("stat_subset_sise") && m.contains("did you mean 'stat_subset_size'"))
        let nested = message {
            _ = try QuantizationParams(["range_estimator": ["max": ["agregator": "max"]]], algorithm: "MinMaxQuantization")
        }
        #expect(nested.contains("range_estimator.max") && nested.contains("did you mean 'aggregator'"))
        // DefaultQuantization-only keys are unknown to MinMaxQuantization
        #expect(message { _ = try QuantizationParams(["use_fast_bias": false], algorithm: "MinMaxQuantization") }.contains("use_fast_bias"))
        #expect(message { _ = try QuantizationParams(["preset": "perfomance"], algorithm: "DefaultQuantization") }.contains("did you mean 'performance'"))
        #expect(message { _ = try QuantizationParams(["range_estimator": ["max": ["type": "absmax"]]], algorithm: "MinMaxQuantization") }
            .contains("did you mean 'abs_max'"))
    }

    @Test func presetAliasesAndIgnored() throws {
        let p = try QuantizationParams(["preset": "accuracy", "ignored": ["scope": ["conv1"], "operations": [["type": "Add"]]],
                                        "stat_subset_size": 10, "model_type": "transformer"], algorithm: "DefaultQuantization")
        #expect(p.preset == .mixed && p.ignoredScope == ["conv1"] && p.ignoredTypes == ["Add"] && p.modelType == .transformer)
        #expect(p.subsetIndices(datasetSize: 4).count == 4)
        #expect(message { _ = try QuantizationParams(["ignored": ["operations": ["Add"]]], algorithm: "DefaultQuantization") }
            .contains("ignored.operations[0]"))
        #expect(message { _ = try QuantizationParams(["target_device": "VPU"], algorithm: "DefaultQuantization") }.contains("VPU"))
    }

    @Test func rangeEstimatorOverridesFollowPOT() throws {
        let p = try QuantizationParams(["activations": ["range_estimator": ["preset": "quantile", "max": ["outlier_prob": 0.001]]]],
                                       algorithm: "MinMaxQuantization")
        let act = try #require(p.activationsRangeEstimator)
        let e = RangeEstimator.resolve(act, weights: false, mode: .symmetric, granularity: .perTensor)
        #expect(e.max?.type == .absQuantile && e.max?.aggregator == .mean && e.max?.outlierProb == 0.001)
        #expect(e.min?.type == .min && e.min?.aggregator == .min)
        let w = RangeEstimator.resolve(RangeEstimatorParams(), weights: true, mode: .symmetric, granularity: .perChannel)
        #expect(w.min == nil && w.max?.type == .absMax && w.max?.granularity == .perChannel)
    }

    /// Python: random.seed(s); random.sample(range(n), k)
    @Test func shuffleMatchesPythonRandom() {
        var r = PythonRandom(seed: 0)
        #expect(r.sample(population: 100, count: 10) == [49, 97, 53, 5, 33, 65, 62, 51, 38, 61])
        r = PythonRandom(seed: 42)
        #expect(r.sample(population: 10, count: 5) == [1, 0, 4, 9, 6])
        r = PythonRandom(seed: 7)
        #expect(Array(r.sample(population: 300, count: 300).prefix(8)) == [165, 77, 202, 24, 37, 274, 48, 187])
        r = PythonRandom(seed: (1 << 40) + 5)
        #expect(r.sample(population: 1000, count: 4) == [516, 529, 275, 679])
    }

    @Test func aggregatorsAreNumpys() throws {
        let batches = [Tensor(shape: [1], scalars: [1]), Tensor(shape: [1], scalars: [4]), Tensor(shape: [1], scalars: [2])]
        #expect(try Aggregation.aggregate(batches, with: .mean) == .scalar(7.0 / 3))
        #expect(try Aggregation.aggregate(batches, with: .median) == .scalar(2))
        #expect(try Aggregation.aggregate(batches, with: .max) == .scalar(4))
        let pc = [Tensor(shape: [1, 2], scalars: [1, -1]), Tensor(shape: [1, 2], scalars: [3, -5])]
        #expect(try Aggregation.aggregate(pc, with: .min).values == [1, -5])
        #expect(try Aggregation.aggregate(pc, with: .median).values == [2, -3])
    }

    @Test func channelQuantilesMatchSorting() throws {
        // 1 sample, 2 channels of 400 values: the fast path (order-statistic buffers) against sorting
        var values: [Float] = []
        var state: UInt32 = 12345
        for _ in 0..<800 { state = state &* 1664525 &+ 1013904223; values.append(Float(state >> 8) / Float(1 << 24) - 0.5) }
        let t = Tensor(shape: [1, 2, 20, 20], scalars: values)
        let fast = try ChannelQuantiles.statistic(q: 1e-2).compute(t).floatValues()
        let lo = try StatisticFunction.quantile(1e-2, perChannel: true).compute(t).floatValues()
        let hi = try StatisticFunction.quantile(1 - 1e-2, perChannel: true).compute(t).floatValues()
        for (a, b) in zip(fast, lo + hi) { #expect(abs(a - b) < 1e-6) }
    }
}
