#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Engine settings (POT's engine config).
public struct EngineConfig: Sendable {
    /// "CPU" (SwiftPOT's interpreter); other device names are an error.
    public var device: String
    /// Interpreter threads; nil means the interpreter's default.
    public var threads: Int?
    /// DEVELOPER-ONLY (not in POT's config or SwiftPOT's contract): run statistics inference with
    /// OpenVINO-CPU-like bf16 rounding, to study goldens made by POT on bf16 hardware. Default `.off`.
    public var bf16Emulation: BF16Emulation = .off
    public init(device: String = "CPU", threads: Int? = nil) {
        self.device = device
        self.threads = threads
    }
}

/// A metric type for engines without a metric (statistics only).
public final class NoMetric<Annotation>: Metric {
    public init() {}
    public var value: [String: [Double]] { [:] }
    public var avgValue: [String: Double] { [:] }
    public func update(output: [Tensor], annotation: Annotation) throws {}
    public func reset() {}
    public var attributes: [String: [String: String]] { [:] }
}

/// The ready engine, on SwiftPOT's CPU interpreter (POT's `IEEngine`, without OpenVINO).
/// Subclass it and override ``postprocessOutput(_:metadata:)`` to post-process outputs.
///
/// Cascades run member by member in configuration order: each member's inputs are bound by name
/// from the sample's inputs and from the outputs of the members before it; the outputs passed to
/// post-processing are all members' outputs by tensor name, and the default post-processing
/// returns the last member's outputs in order.
open class IEEngine<Loader: DataLoader, M: Metric>: Engine where Loader.Annotation == M.Annotation {
    /// Device and threads.
    public let config: EngineConfig
    /// The dataset `predict` runs.
    public let dataLoader: Loader
    /// The metric `predict` updates (reset at the start of each run); nil for statistics only.
    public let metric: M?
    private(set) var compiled: [CompiledModel] = []
    private(set) var model: CompressedModel?

    /// An engine over `dataLoader`; `metric` may be nil (or use `IEEngine(dataLoader:)`).
    public init(config: EngineConfig = EngineConfig(), dataLoader: Loader, metric: M?) {
        self.config = config
        self.dataLoader = dataLoader
        self.metric = metric
    }

    /// Compiles every member of `model` on the interpreter.
    open func setModel(_ model: CompressedModel) throws {
        guard config.device.uppercased() == "CPU" else {
            throw OVIRError("engine device '\(config.device)' is not supported; SwiftPOT's interpreter runs on 'CPU'")
        }
        let options = CompileOptions(threads: config.threads ?? 1, bf16Emulation: config.bf16Emulation)
        compiled = try model.models.map { try CompiledModel(graph: $0.graph, options: options) }
        self.model = model
    }

    /// Maps raw outputs (by tensor name) to what the metric receives. Default: the (last) model's outputs in order.
    open func postprocessOutput(_ outputs: [String: Tensor], metadata: [String: MetadataValue]) throws -> [Tensor] {
        guard let last = compiled.last else { throw OVIRError("no model set; call setModel first") }
        return try last.outputs.map { io in
            guard let t = outputs[io.name] else { throw OVIRError("output '\(io.name)' is missing from the outputs") }
            return t
        }
    }

    /// Runs the sampler's batches (the whole dataset, one sample per batch, when nil) in order.
    /// Each sample's inputs are checked by name, element type and shape; any failure (loader,
    /// inputs, inference, statistic, metric) stops the run with an error naming the sample index.
    /// A batch runs as one inference when every input accepts the stacked batch, else sample by
    /// sample; statistics get one value per batch either way (see ``StatisticFunction``).
    open func predict(statsLayout: StatsLayout?, sampler: (any Sampler)?,
                      metricPerSample: Bool, printProgress: Bool) throws -> PredictionResult {
        guard !compiled.isEmpty else { throw OVIRError("no model set; call setModel(_:) before predict") }
        let batches: [[Int]] = sampler.map { Array($0) } ?? Array(BatchSampler(dataLoader: dataLoader))
        let collector = try StatisticsCollector(layout: statsLayout ?? [:], models: compiled)
        metric?.reset()
        var perSample: [SampleMetric] = []
        let progress = printProgress ? ProgressLine(total: batches.reduce(0) { $0 + $1.count }) : nil
        var done = 0
        for batch in batches {
            let items = try batch.map { index -> DataItem<Loader.Annotation> in
                guard index >= 0 && index < dataLoader.count else {
                    throw OVIRError("sample \(index): index out of range (the dataset has \(dataLoader.count) samples)")
                }
                do { return try dataLoader.item(at: index) } catch {
                    throw OVIRError("sample \(index): the data loader failed: \(error)")
                }
            }
            let outputsPerSample = try runBatch(batch, items, collector)
            for (k, outputs) in outputsPerSample.enumerated() {
                guard let metric else { continue }
                do {
                    let post = try postprocessOutput(outputs, metadata: items[k].metadata)
                    try metric.update(output: post, annotation: items[k].annotation)
                } catch {
                    throw OVIRError("sample \(batch[k]): post-processing or the metric failed: \(error)")
                }
                if metricPerSample {
                    for (name, values) in metric.value.sorted(by: { $0.key < $1.key }) {
                        if let v = values.last { perSample.append(SampleMetric(sampleID: batch[k], metricName: name, result: v)) }
                    }
                }
            }
            done += batch.count
            progress?.update(done)
        }
        progress?.finish()
        return PredictionResult(metrics: metric.map { $0.avgValue }, perSample: metricPerSample ? perSample : nil,
                                statistics: collector.results)
    }

    /// Runs one batch: as one batched inference when every input takes the stacked batch, else sample
    /// by sample. Statistics get one value per batch either way.
    private func runBatch(_ batch: [Int], _ items: [DataItem<Loader.Annotation>],
                          _ collector: StatisticsCollector) throws -> [[String: Tensor]] {
        let feeds = try zip(batch, items).map { (index, item) in try bindInputs(item.data, sample: index) }
        if batch.count > 1, let stacked = try? stack(feeds) {
            collector.beginBatch()
            let outs = try runModels(stacked, sample: batch[0], collector: collector)
            try collector.endBatch()
            return try (0..<batch.count).map { k in try outs.mapValues { try $0.slice(batch: k) } }
        }
        collector.beginBatch()
        let outs = try zip(batch, feeds).map { (index, feed) in try runModels(feed, sample: index, collector: collector) }
        try collector.endBatch()
        return outs
    }

    /// The inputs a sample feeds: every member's inputs that no earlier member produces.
    private var externalInputs: [ModelIO] {
        var produced: Set<String> = []
        var out: [ModelIO] = []
        for m in compiled {
            for io in m.inputs where !([io.name] + io.names).contains(where: produced.contains) { out.append(io) }
            for io in m.outputs { produced.formUnion([io.name] + io.names) }
        }
        return out
    }

    /// Names a sample's tensors by the model's input names and checks each against its input
    /// (name, element type, shape); errors name the sample and the input.
    private func bindInputs(_ data: ModelInput, sample: Int) throws -> [String: Tensor] {
        let inputs = externalInputs
        let list = inputs.map { "'\($0.name)'" }.joined(separator: ", ")
        let feed: [String: Tensor]
        switch data {
        case .tensor(let t):
            guard inputs.count == 1 else {
                throw OVIRError("sample \(sample): one tensor given, but the model has \(inputs.count) inputs (\(list)); give them by name")
            }
            feed = [inputs[0].name: t]
        case .named(let d):
            feed = d
        }
        for (key, t) in feed.sorted(by: { $0.key < $1.key }) {
            guard let io = inputs.first(where: { $0.matches(key) }) else {
                throw OVIRError("sample \(sample): '\(key)' is not an input of the model; its inputs are \(list)")
            }
            guard t.elementType == io.elementType else {
                throw OVIRError("sample \(sample): input '\(io.name)': expected element type \(io.elementType.rawValue), found \(t.elementType.rawValue)")
            }
            guard io.shape.accepts(t.shape) else {
                throw OVIRError("sample \(sample): input '\(io.name)': expected shape \(io.shape), found \(t.shape)")
            }
        }
        for io in inputs where !feed.keys.contains(where: io.matches) {
            throw OVIRError("sample \(sample): input '\(io.name)' is missing; expected \(io.elementType.rawValue) \(io.shape)")
        }
        return feed
    }

    /// Concatenates per-sample feeds along axis 0, when every model input accepts the stacked shape.
    private func stack(_ feeds: [[String: Tensor]]) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for key in feeds[0].keys {
            let parts = try feeds.map { f -> Tensor in
                guard let t = f[key] else { throw OVIRError("inputs differ between samples") }
                return t
            }
            let stacked = try concatenateBatch(parts)
            for m in compiled {
                if let io = m.inputs.first(where: { $0.matches(key) }), !io.shape.accepts(stacked.shape) {
                    throw OVIRError("model input '\(io.name)' takes \(io.shape), not the stacked \(stacked.shape)")
                }
            }
            out[key] = stacked
        }
        return out
    }

    /// Runs every member in order; returns all outputs by tensor name.
    private func runModels(_ feed: [String: Tensor], sample: Int, collector: StatisticsCollector) throws -> [String: Tensor] {
        var available = feed
        for (m, model) in compiled.enumerated() {
            let ordered: [Tensor]
            do { ordered = try model.orderedInputs(available.filter { k, _ in model.inputs.contains { $0.matches(k) } }) } catch {
                throw OVIRError("sample \(sample): \(error)")
            }
            let outs: [Tensor]
            do {
                outs = try model.infer(ordered, observing: collector.points(model: m),
                                       bf16ModelOutputs: config.bf16Emulation == .openvino ? collector.potModelOutputs(model: m) : [],
                                       observer: collector.observer(model: m))
            } catch {
                throw OVIRError("sample \(sample): \(error)")
            }
            for (io, t) in zip(model.outputs, outs) {
                for n in Set([io.name] + io.names) { available[n] = t }
            }
        }
        return available
    }
}

extension IEEngine where M == NoMetric<Loader.Annotation> {
    /// An engine without a metric, for statistics collection.
    public convenience init(config: EngineConfig = EngineConfig(), dataLoader: Loader) {
        self.init(config: config, dataLoader: dataLoader, metric: nil)
    }
}

/// Concatenates tensors of equal shape and type along axis 0.
func concatenateBatch(_ parts: [Tensor]) throws -> Tensor {
    guard let first = parts.first else { throw OVIRError("nothing to concatenate") }
    guard first.rank >= 1, first.elementType.bitWidth >= 8 else { throw OVIRError("cannot stack tensors of shape \(first.shape)") }
    for p in parts where p.shape != first.shape || p.elementType != first.elementType {
        throw OVIRError("samples differ in shape or type: \(first.elementType.rawValue)\(first.shape) vs \(p.elementType.rawValue)\(p.shape)")
    }
    var shape = first.shape
    shape[0] *= parts.count
    var out = Tensor(zeros: first.elementType, shape: shape)
    let bytes = first.byteCount
    out.withUnsafeMutableBytes { dst in
        for (k, p) in parts.enumerated() {
            p.withUnsafeBytes { src in
                if bytes > 0 { dst.baseAddress!.advanced(by: k * bytes).copyMemory(from: src.baseAddress!, byteCount: bytes) }
            }
        }
    }
    return out
}

/// A progress line on stderr.
final class ProgressLine {
    let total: Int
    let start = Date()
    /// The last 5% step drawn: the line is redrawn only when it changes (stderr may be a log file).
    private var lastStep = -1
    init(total: Int) { self.total = total }
    func update(_ done: Int) {
        let pct = total > 0 ? 100 * done / total : 100
        guard pct / 5 != lastStep || done == total else { return }
        lastStep = pct / 5
        writeToStandardError("\r[\(String(repeating: "#", count: pct / 5))\(String(repeating: ".", count: 20 - pct / 5))] \(done)/\(total) \(cFormat("%.1f", Date().timeIntervalSince(start)))s")
    }
    func finish() { writeToStandardError("\n") }
}
