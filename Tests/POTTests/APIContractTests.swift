import Foundation
import Testing
import POT   // only the public API: every name below is spelled as in the contract (spec/POT_API.md)

/// An outside client written only against the POT API contract: every type, initializer, property
/// and default-argument form the contract names, used as written there. Compiling this file is most
/// of the test; the checks run it on the digits fixture.
@Suite("POT API: the contract's names and signatures")
struct APIContractTests {
    static let digits = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../fixtures/pot/digits").standardizedFileURL

    struct Loader: DataLoader {
        let x: Tensor, y: [Int]
        var count: Int { y.count }
        func item(at index: Int) throws -> DataItem<Int> {
            let data: ModelInput = index.isMultiple(of: 2) ? .tensor(try x.slice(batch: index)) : .named(["x": try x.slice(batch: index)])
            let meta: [String: MetadataValue] = ["id": .number(Double(index)), "tag": .string("d"), "ok": .bool(true),
                                                 "list": .array([.number(1)]), "dict": .dictionary(["k": .string("v")]),
                                                 "raw": .tensor(Tensor(shape: [1], scalars: [Float(index)]))]
            return index.isMultiple(of: 3) ? DataItem(data: data, annotation: y[index])
                                           : DataItem(data: data, annotation: y[index], metadata: meta)
        }
    }

    /// A metric relying on the default `higherBetter`.
    final class Top1: Metric {
        var hits: [Double] = []
        var value: [String: [Double]] { ["top1": hits.suffix(1)] }
        var avgValue: [String: Double] { ["top1": hits.isEmpty ? 0 : hits.reduce(0, +) / Double(hits.count)] }
        var attributes: [String: [String: String]] { ["top1": ["direction": "higher-better", "type": "accuracy"]] }
        func update(output: [Tensor], annotation: Int) throws {
            let p = try output[0].scalars(as: Float.self)
            hits.append(p.indices.max(by: { p[$0] < p[$1] }) == annotation ? 1 : 0)
        }
        func reset() { hits = [] }
    }

    /// IEEngine subclassed to post-process outputs (here: the Softmax's input is not needed; pass
    /// through the named output and check the metadata arrives).
    final class Engine2: IEEngine<Loader, Top1> {
        var sawMetadata = 0
        override func postprocessOutput(_ outputs: [String: Tensor], metadata: [String: MetadataValue]) throws -> [Tensor] {
            if case .number? = metadata["id"] { sawMetadata += 1 }
            guard let probs = outputs["probs"] else { throw CocoaError(.coderValueNotFound) }
            return [probs]
        }
    }

    /// A client's own sampler: batches in reverse order.
    struct Reversed: Sampler {
        let batches: [[Int]]
        var count: Int { batches.count }
        func makeIterator() -> IndexingIterator<[[Int]]> { batches.reversed().makeIterator() }
    }

    static func loader() throws -> Loader {
        let y = try Tensor(npyFile: digits.appendingPathComponent("y.npy")).scalars(as: Int64.self).map { Int($0) }
        return Loader(x: try Tensor(npyFile: digits.appendingPathComponent("x.npy")), y: y)
    }

    @Test func tensorContract() throws {
        let types: [ElementType] = [.f32, .f16, .bf16, .f64, .i8, .u8, .i16, .u16, .i32, .u32, .i64, .u64, .boolean, .u1, .i4, .u4]
        #expect(types.count == 16)
        var t = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4] as [Float])
        #expect(t.elementType == .f32 && t.shape == [2, 2])
        t.shape = [4]
        let i = Tensor(shape: [3], scalars: [1, 2, 3] as [Int32])
        #expect(try i.scalars(as: Int32.self) == [1, 2, 3])
        #expect(throws: (any Error).self) { _ = try i.scalars(as: Float.self) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftpot-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try i.writeNpy(to: dir.appendingPathComponent("i.npy"))
        #expect(try Tensor(npyFile: dir.appendingPathComponent("i.npy")).scalars(as: Int32.self) == [1, 2, 3])
        let s = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6] as [Float]).slice(batch: 1)
        #expect(try s.shape == [1, 2] && s.scalars(as: Float.self) == [3, 4])
    }

    @Test func engineContract() throws {
        let loader = try Self.loader()
        let engine = Engine2(config: EngineConfig(device: "CPU", threads: 2), dataLoader: loader, metric: Top1())
        try engine.setModel(try loadModel(ModelConfig(modelName: "digits", model: Self.digits.appendingPathComponent("digits.xml").path,
                                                      weights: Self.digits.appendingPathComponent("digits.bin").path)))
        let layout: StatsLayout = ["relu1": ["min": .min(), "max": .max(perChannel: true)],
                                   StatisticPoint(node: "fc", port: 0): ["a": .absMax(), "m": .mean(perChannel: true),
                                                                        "q": .quantile(0.5), "aq": .absQuantile(0.9, perChannel: true),
                                                                        "c": .custom { $0 }]]
        let sampler = Reversed(batches: [[0, 1], [2, 3, 4]])
        let r: PredictionResult = try engine.predict(statsLayout: layout, sampler: sampler, metricPerSample: true, printProgress: false)
        let m: [String: Double]? = r.metrics
        let per: [SampleMetric]? = r.perSample
        let stats: [StatisticPoint: [String: [Tensor]]] = r.statistics
        #expect(m == ["top1": 1])
        #expect(per?.map(\.sampleID) == [2, 3, 4, 0, 1] && per?.allSatisfy { $0.metricName == "top1" && $0.result == 1 } == true)
        #expect(stats["relu1"]?["min"]?.map(\.shape) == [[3], [2]])
        #expect(stats["fc"]?["aq"]?.map(\.shape) == [[3, 10], [2, 10]])   // rank < 3: the activation itself
        #expect(engine.sawMetadata == 3)   // samples 1, 2, 4 carry metadata
        // Each argument alone, and none.
        _ = try engine.predict()
        _ = try engine.predict(statsLayout: layout)
        _ = try engine.predict(sampler: BatchSampler(dataLoader: loader, batchSize: 4, subsetIndices: [5, 6]))
        _ = try engine.predict(metricPerSample: true)
        _ = try engine.predict(printProgress: false)
        let statsOnly = IEEngine(dataLoader: loader)
        try statsOnly.setModel(try loadModel(ModelConfig(modelName: "digits", model: Self.digits.appendingPathComponent("digits.xml").path)))
        #expect(try statsOnly.predict(sampler: BatchSampler(dataLoader: loader)).metrics == nil)
    }

    @Test func pipelineAndModelContract() throws {
        let loader = try Self.loader()
        let engine = IEEngine(dataLoader: loader, metric: Top1())
        let values: [ConfigValue] = ["s", 1, 0.5, true, ["a", 2], ["k": "v"]]
        #expect(values.count == 6)
        let configs = [AlgorithmConfig(name: "DefaultQuantization",
                                       params: ["target_device": "CPU", "preset": "performance", "stat_subset_size": 50])]
        let pipeline: Pipeline = try createPipeline(configs, engine: engine)
        let model: CompressedModel = try loadModel(ModelConfig(modelName: "digits", model: Self.digits.appendingPathComponent("digits.xml").path))
        let members: [NamedModel] = model.models
        #expect(members.count == 1 && !model.isCascade)
        let q = try pipeline.run(model)
        let top1 = try pipeline.evaluate(q)?["top1"] ?? 0
        #expect(top1 > 0.9)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftpot-contract-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved: [SavedModel] = try saveModel(q, savePath: dir.path, modelName: "digits_int8", forStatCollection: false)
        #expect(saved.count == 1 && saved[0].name == nil && saved[0].model.hasSuffix("digits_int8.xml") && saved[0].weights.hasSuffix("digits_int8.bin"))
        let cascade = ModelConfig(modelName: "c", cascade: [CascadeMember(name: "only", model: saved[0].model),
                                                            CascadeMember(name: "again", model: saved[0].model, weights: saved[0].weights)])
        #expect(try loadModel(cascade).isCascade)
    }
}
