import Foundation
import Testing
import POT
import _TestSupport

/// DefaultQuantization through the public API on the interpreter, on the shared real models.
/// The quick tests use a few calibration samples; SWIFTPOT_E2E=1 runs the full calibration sets
/// and compares every range with POT's (fixtures/pot/<model>/stats.json, POT run on this machine;
/// fixtures/models/<model>/pot/fq.json, the shared golden).
@Suite("DefaultQuantization end to end")
struct DefaultQuantizationTests {
    /// Calibration images as the model takes them: `calib.npy` (uint8) · scale + shift.
    struct Images: DataLoader {
        let x: Tensor
        let scale: Float, shift: Float
        var count: Int { x.shape[0] }
        func item(at i: Int) throws -> DataItem<Int> {
            let raw = try x.slice(batch: i)
            return DataItem(data: .tensor(Tensor(shape: raw.shape, scalars: raw.floatValues().map { $0 * scale + shift })), annotation: 0)
        }
    }

    static var fullRun: Bool { ProcessInfo.processInfo.environment["SWIFTPOT_E2E"] == "1" }

    static func quantize(_ model: String, scale: Float, shift: Float, samples: Int,
                         potExactAlignment: Bool = false) throws -> (CompressedModel, Images) {
        let dir = "models/\(model)/"
        let loader = Images(x: try Tensor(npyFile: Fixtures.url(dir + "calib.npy")), scale: scale, shift: shift)
        let fp32 = try loadModel(ModelConfig(modelName: model, model: Fixtures.path(dir + model + ".xml")))
        let engine = IEEngine(config: EngineConfig(threads: ProcessInfo.processInfo.activeProcessorCount), dataLoader: loader)
        let pipeline = try createPipeline([AlgorithmConfig(name: "DefaultQuantization", params: [
            "target_device": "CPU", "preset": "performance", "stat_subset_size": .int(samples)])], engine: engine)
        (pipeline.algorithms.first as? DefaultQuantization)?.potExactAlignment = potExactAlignment
        return (try pipeline.run(fp32), loader)
    }

    /// FakeQuantize name → its four range constants.
    static func ranges(_ g: Graph) -> [String: [Tensor]] {
        var out: [String: [Tensor]] = [:]
        for n in g.nodes where n.type == "FakeQuantize" {
            out[n.name] = (1...4).compactMap { n.inputs[$0].source?.node.constant }
        }
        return out
    }

    @Test func faceLandmarkQuick() throws {
        let samples = 3
        let (q, loader) = try Self.quantize("face_landmark", scale: 1 / 255, shift: 0, samples: samples)
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("models/face_landmark/pot/fq.json"))) as? [String: Any]
        let names = Set((golden?["fake_quantize"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        let r = Self.ranges(q.graph)
        #expect(Set(r.keys) == names)
        // The input's quantizer: unsigned, high = mean over samples of each sample's max |x|.
        let input = try #require(r["Transpose_123/fq_input_0"])
        var expected = 0.0
        for i in 0..<samples { expected += Double(try loader.item(at: i).maxAbs) / Double(samples) }
        #expect(input[0].floatValues() == [0])
        #expect(abs(Double(input[1].floatValues()[0]) - expected) < 1e-6 * expected)
        // the saved model reads back
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = try saveModel(q, savePath: dir.path, modelName: "face_landmark_int8")
        let back = try IRReader.read(xmlPath: saved[0].model, binPath: saved[0].weights)
        #expect(back.nodes.filter { $0.type == "FakeQuantize" }.count == names.count)
    }

    @Test(.enabled(if: fullRun), arguments: [("face_landmark", Float(1) / 255, Float(0)), ("palm_detection_lite", Float(1) / 127.5, Float(-1))])
    func fullCalibrationMatchesPOT(model: String, scale: Float, shift: Float) throws {
        // POT's alignment as POT does it (the guard deviates on palm_detection_lite, see ChannelAlignmentGuardTests)
        let (q, _) = try Self.quantize(model, scale: scale, shift: shift, samples: 50, potExactAlignment: true)
        let ours = Self.ranges(q.graph)
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("pot/\(model)/stats.json"))) as? [String: Any]
        var worst = 0.0
        for fq in stats?["fake_quantize"] as? [[String: Any]] ?? [] {
            let name = fq["name"] as? String ?? ""
            let mine = try #require(ours[name], "missing \(name)")
            let r = fq["ranges"] as? [String: [String: Any]] ?? [:]
            for (k, key) in ["input_low", "input_high", "output_low", "output_high"].enumerated() {
                let exp = r[key]?["values"] as? [Double] ?? []
                let v = mine[k].doubleValues(), scale = max(exp.map(abs).max() ?? 0, 1e-6)
                for (j, e) in exp.enumerated() where j < v.count { worst = max(worst, abs(v[j] - e) / scale) }
            }
        }
        #expect(worst < 1e-4, "\(model): worst relative range error vs POT on this machine \(worst)")
    }
}

extension DataItem {
    /// The largest |x| of a single-tensor sample.
    var maxAbs: Float {
        if case .tensor(let t) = data { return t.floatValues().map(abs).max() ?? 0 }
        return 0
    }
}
