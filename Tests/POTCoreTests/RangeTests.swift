import Foundation
import Testing
import POTCore
import _TestSupport

/// The range formulas against the real POT: fixtures/pot/<model>/stats.json holds the statistics
/// POT collected and the ranges it computed from them (scripts/make_pot_stats_fixtures.py).
@Suite("Range formulas vs POT's own statistics")
struct RangeTests {
    struct Array64 { var shape: [Int]; var values: [Double] }
    static func array(_ any: Any?) -> Array64? {
        guard let d = any as? [String: Any], let s = d["shape"] as? [Int], let v = d["values"] as? [Double] else { return nil }
        return Array64(shape: s, values: v)
    }

    static func load(_ model: String) throws -> [String: Any]? {
        let url = Fixtures.url("pot/\(model)/stats.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    }

    static func scheme(_ c: [String: Any]) -> QuantizationScheme {
        QuantizationScheme(bits: c["bits"] as? Int ?? 8,
                           mode: QuantizationMode(rawValue: c["mode"] as? String ?? "symmetric") ?? .symmetric,
                           granularity: QuantizationGranularity(rawValue: c["granularity"] as? String ?? "pertensor") ?? .perTensor,
                           levelLow: c["level_low"] as? Int, levelHigh: c["level_high"] as? Int)
    }

    static func border(_ d: Any?) -> BorderEstimator? {
        guard let d = d as? [String: Any], let t = d["type"] as? String, let type = BorderEstimator.StatType(rawValue: t) else { return nil }
        return BorderEstimator(type: type, aggregator: (d["aggregator"] as? String).flatMap { BorderEstimator.Aggregator(rawValue: $0) },
                               granularity: QuantizationGranularity(rawValue: d["granularity"] as? String ?? "") ?? .perTensor,
                               outlierProb: d["outlier_prob"] as? Double ?? 1e-4, clippingValue: d["clipping_value"] as? Double)
    }

    /// The worst relative difference between Swift's and POT's ranges over every quantizer.
    static func compare(_ model: String) throws -> (worst: Double, checked: Int, shapeMismatches: [String])? {
        guard let root = try load(model), let fqs = root["fake_quantize"] as? [[String: Any]] else { return nil }
        let rescale = Set(root["fqs_to_rescale"] as? [String] ?? [])
        let factor = root["scaling_factor"] as? Double ?? 2
        var computed: [String: QuantizerRange] = [:]
        var info: [String: (rank: Int, axis: Int, expected: [String: Array64])] = [:]
        for fq in fqs {
            let name = fq["name"] as? String ?? "?"
            let kind = QuantizerKind(rawValue: fq["kind"] as? String ?? "") ?? .activations
            let config = fq["config"] as? [String: Any] ?? [:]
            let re = config["range_estimator"] as? [String: Any] ?? [:]
            let estimator = RangeEstimator(min: border(re["min"]), max: border(re["max"]))
            let spec = RangeSpec(name: name, kind: kind, scheme: scheme(config), levels: fq["levels"] as? Int ?? 256,
                                 estimator: estimator, saturationRescale: rescale.contains(name), scalingFactor: factor)
            let stats = fq["stats"] as? [String: Any] ?? [:]
            var minV: StatValue?, maxV: StatValue?
            for (isMax, e) in [(false, estimator.min), (true, estimator.max)] {
                guard let e else { continue }
                let key = (isMax ? "max_" : "min_") + e.type.rawValue + ((e.type == .quantile || e.type == .absQuantile) ? "_\(e.outlierProb)" : "")
                let value: StatValue
                if kind == .weights {
                    let a = try #require(array(stats[key]), "\(name): no weight statistic \(key)")
                    value = StatValue(a.values, isScalar: a.shape.isEmpty)
                } else {
                    let batches = try #require(stats[key] as? [Any], "\(name): no statistic \(key)").compactMap(array)
                    let tensors = batches.map { Tensor(shape: $0.shape, scalars: $0.values.map { Float($0) }) }
                    value = try Aggregation.aggregate(tensors, with: try #require(e.aggregator))
                }
                if isMax { maxV = value } else { minV = value }
            }
            computed[name] = try RangeComputation.range(spec, min: minV, max: maxV)
            let ranges = fq["ranges"] as? [String: Any] ?? [:]
            let transposed = (fq["consumers"] as? [[String: Any]])?.first?["type"] as? String == "ConvolutionBackpropData"
            info[name] = ((fq["input_shape"] as? [Int] ?? []).count, kind == .weights ? (transposed ? 1 : 0) : 1,
                          ranges.compactMapValues(array))
        }
        for group in root["unify"] as? [[[String]]] ?? [] where group.count == 2 {
            let names = group[1].filter { computed[$0] != nil }
            for (n, r) in zip(names, RangeFormulas.unify(names.compactMap { computed[$0] })) { computed[n] = r }
        }
        var worst = 0.0, mismatches: [String] = []
        for (name, r) in computed {
            guard let i = info[name] else { continue }
            let tensors = try RangeComputation.tensors(r, inputRank: i.rank, channelAxis: i.axis)
            for (k, key) in ["input_low", "input_high", "output_low", "output_high"].enumerated() {
                let exp = try #require(i.expected[key])
                if tensors[k].shape != exp.shape { mismatches.append("\(name).\(key): \(tensors[k].shape) vs \(exp.shape)") }
                let ours = [r.inputLow, r.inputHigh, r.outputLow, r.outputHigh][k].values
                let scale = max(exp.values.map(abs).max() ?? 0, 1e-6)
                for (j, e) in exp.values.enumerated() {
                    worst = max(worst, abs(ours[ours.count == 1 ? 0 : j] - e) / scale)
                }
            }
        }
        return (worst, computed.count, mismatches)
    }

    @Test(arguments: ["face_landmark", "palm_detection_lite", "minilm_l2"])
    func rangesMatchPOT(model: String) throws {
        guard let result = try Self.compare(model) else { return }   // fixture not generated for this model
        #expect(result.checked > 0)
        #expect(result.shapeMismatches.isEmpty, "\(result.shapeMismatches.prefix(5))")
        // Double vs POT's float32/float64 mix: agreement to ~1e-6 relative.
        #expect(result.worst < 1e-5, "worst relative range error \(result.worst) over \(result.checked) quantizers")
    }

    @Test func tuneRangeMakesZeroExact() {
        let (a, b) = RangeFormulas.tuneRange(low: -0.3, high: 1.7, bits: 8)
        let scale = (b - a) / 255
        let zeroPoint = -a / scale
        #expect(abs(zeroPoint - zeroPoint.rounded()) < 1e-9)
        #expect(a <= -0.3 + 1e-12 && b >= 1.7 - 1e-12)
    }

    @Test func symmetricActivationsUnsignedWhenMinNonNegative() {
        let r = RangeFormulas.symmetricActivations(min: .scalar(0), max: .scalar(2), levels: 256, signed: false)
        #expect(r.low.values == [0] && r.high.values == [2])
        let s = RangeFormulas.symmetricActivations(min: .scalar(-1), max: .scalar(2), levels: 256, signed: false)
        #expect(abs(s.low.values[0] + 2 * 256 / 254) < 1e-12)
    }

    @Test func zeroFiltersAreWidened() {
        let m = RangeFormulas.fixZeroFiltersSymmetric(StatValue([0, 1, 10], isScalar: false))
        #expect(m.values == [0.1, 1, 10])
        let (mx, mn) = RangeFormulas.fixZeroFiltersAsymmetric(max: .scalar(0), min: .scalar(0))
        #expect(abs(mx.values[0] - 8e-4) < 1e-15 && abs(mn.values[0] + 8e-4) < 1e-15 && !mx.isScalar)
    }
}
