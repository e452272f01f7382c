import Foundation
import Testing
import POTCore
import _TestSupport

/// ActivationChannelAlignment + placement + MinMaxQuantization on the real models, fed POT's own
/// statistics from fixtures/pot/<model>/stats.json instead of running the model: every FakeQuantize
/// must come out with POT's name, levels and ranges.
@Suite("MinMax with POT's statistics on the shared models")
struct MinMaxFixtureTests {
    static func tensor(_ any: Any?) -> Tensor? {
        guard let a = RangeTests.array(any) else { return nil }
        return Tensor(shape: a.shape, scalars: a.values.map { Float($0) })
    }

    @Test(arguments: ["face_landmark", "palm_detection_lite", "minilm_l2"])
    func quantizedModelMatchesPOT(model: String) throws {
        guard let root = try RangeTests.load(model), let fqs = root["fake_quantize"] as? [[String: Any]] else { return }
        let dir = "models/\(model)/\(model)"
        let graph = try IRReader.read(xmlPath: Fixtures.path(dir + ".xml"), binPath: Fixtures.path(dir + ".bin"))
        let compressed = CompressedModel(name: model, models: [NamedModel(name: model, graph: graph)])
        let params = try QuantizationParams(root["params"] as? [String: Any] == nil ? [:] :
            ((try ConfigValue(json: root["params"] as Any)).dictionaryValue ?? [:]), algorithm: "DefaultQuantization")

        // ActivationChannelAlignment from POT's median statistics
        let aca = ActivationChannelAlignment()
        let pairs = aca.pairs(graph)
        let expectedPairs = ((root["channel_alignment"] as? [String: Any])?["pairs"] as? [[String: Any]] ?? [])
            .map { "\($0["node_in"] as? String ?? "")->\($0["node_out"] as? String ?? "")" }
        #expect(pairs.map { "\($0.nodeIn)->\($0.nodeOut)" }.sorted() == expectedPairs.sorted())
        let medians = (root["channel_alignment"] as? [String: Any])?["median_stats"] as? [String: [String: Any]] ?? [:]
        for p in pairs {
            let s = try #require(medians[p.point.node], "no POT statistics for \(p.point.description)")
            try aca.align(p, min: try #require(RangeTests.array(s["channel_range_min"])).values,
                          max: try #require(RangeTests.array(s["channel_range_max"])).values)
        }

        // the biases bias correction starts from are POT's (after the alignment)
        var biasWorst = 0.0
        for (_, entry) in root["fast_bias_correction"] as? [String: [String: Any]] ?? [:] {
            guard let addName = entry["add"] as? String, let add = graph.node(named: addName),
                  let before = RangeTests.array(entry["before"]) else { continue }
            let c = try #require(add.inputs.compactMap { $0.source?.node }.first { $0.type == "Const" }?.constant)
            let v = c.doubleValues(), scale = max(before.values.map(abs).max() ?? 0, 1e-6)
            for (a, b) in zip(v, before.values) { biasWorst = max(biasWorst, abs(a - b) / scale) }
        }
        #expect(biasWorst < 1e-5, "aligned biases differ from POT's by \(biasWorst)")

        // MinMax with POT's activation statistics
        let minMax = MinMaxQuantization(params: params)
        minMax.channelAlignment = true
        let (out, plans) = try minMax.prepare(compressed)
        let byName = Dictionary(fqs.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        var stats: [StatisticPoint: [String: [Tensor]]] = [:]
        for q in plans[0].quantizers where q.kind == .activations {
            let fq = try #require(byName[q.name], "POT has no FakeQuantize '\(q.name)'")
            let pot = fq["stats"] as? [String: Any] ?? [:]
            let e = params.estimator(for: q)
            for (isMax, b) in [(false, e.min), (true, e.max)] {
                guard let b else { continue }
                var key = (isMax ? "max_" : "min_") + b.type.rawValue
                if b.type == .quantile || b.type == .absQuantile { key += "_\(b.outlierProb)" }
                let batches = try #require(pot[key] as? [Any], "\(q.name): POT has no statistic \(key)").compactMap(Self.tensor)
                stats[PlanApplication.statisticPoint(q, plan: plans[0]), default: [:]][b.statName(isMax: isMax)] = batches
            }
        }
        try minMax.finish(out, plans: plans, stats: stats)

        var worst = 0.0, compared = 0
        for node in out.graph.nodes where node.type == "FakeQuantize" {
            let fq = try #require(byName[node.name], "extra FakeQuantize '\(node.name)'")
            #expect(try node.attributes.int("levels") == fq["levels"] as? Int, "\(node.name) levels")
            let ranges = fq["ranges"] as? [String: Any] ?? [:]
            for (k, key) in ["input_low", "input_high", "output_low", "output_high"].enumerated() {
                let exp = try #require(RangeTests.array(ranges[key]))
                let ours = try #require(node.inputs[k + 1].source?.node.constant)
                #expect(ours.shape == exp.shape, "\(node.name).\(key) shape")
                let v = ours.doubleValues(), scale = max(exp.values.map(abs).max() ?? 0, 1e-6)
                for (j, e) in exp.values.enumerated() where j < v.count { worst = max(worst, abs(v[j] - e) / scale) }
            }
            compared += 1
        }
        #expect(compared == fqs.count, "\(compared) FakeQuantize compared, POT has \(fqs.count)")
        #expect(worst < 1e-4, "worst relative range error \(worst)")
    }
}

extension ConfigValue {
    var dictionaryValue: [String: ConfigValue]? {
        if case .dictionary(let d) = self { return d }
        return nil
    }
}
