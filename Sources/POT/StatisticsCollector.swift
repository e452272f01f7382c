/// Computes a stats layout's statistics on tensors as the interpreter produces them, and groups
/// them one value per batch (samples of a batch run one by one are concatenated along axis 0).
final class StatisticsCollector {
    private struct Entry {
        let point: StatisticPoint
        let name: String
        let function: StatisticFunction
    }
    /// Per model: the observed outputs and, for each, the entries computed on it.
    private var observed: [[ObservedOutput]]
    private var entriesByObserved: [[[Entry]]]
    private var pending: [StatisticPoint: [String: [Tensor]]] = [:]
    private(set) var results: [StatisticPoint: [String: [Tensor]]] = [:]

    init(layout: StatsLayout, models: [CompiledModel]) throws {
        observed = Array(repeating: [], count: models.count)
        entriesByObserved = Array(repeating: [], count: models.count)
        for point in layout.keys.sorted(by: { $0.description < $1.description }) {
            guard let fns = layout[point] else { continue }
            guard let (m, handle) = models.enumerated().lazy.compactMap({ (m, model) in
                model.observable(node: point.node, output: point.port).map { (m, $0) }
            }).first else {
                throw OVIRError("statistics: no layer '\(point.node)' with output port \(point.port) in the model")
            }
            let entries = fns.sorted { $0.key < $1.key }.map { Entry(point: point, name: $0.key, function: $0.value) }
            if let k = observed[m].firstIndex(of: handle) {
                entriesByObserved[m][k] += entries
            } else {
                observed[m].append(handle)
                entriesByObserved[m].append(entries)
            }
            results[point] = Dictionary(uniqueKeysWithValues: fns.keys.map { ($0, [Tensor]()) })
        }
    }

    func points(model m: Int) -> [ObservedOutput] { observed[m] }

    /// DEVELOPER-ONLY (bf16 emulation, `BF16Emulation.swift`): the observed tensors POT 2023.3 would
    /// make model outputs themselves (statistic_graph_builder.py): every one but those with only
    /// in-place min/max statistics (POT inserts ReduceMin/ReduceMax for those). Bias-correction
    /// points count as outputs because POT's FastBiasCorrection also asks for their shape, which is
    /// never in place; alignment quantiles are never in place either.
    func potModelOutputs(model m: Int) -> Set<ObservedOutput> {
        var out: Set<ObservedOutput> = []
        for (k, handle) in observed[m].enumerated() {
            let reduceOnly = entriesByObserved[m][k].allSatisfy { e in
                (e.name.hasPrefix("min_") || e.name.hasPrefix("max_")) && !e.name.contains("quantile")
            }
            if !reduceOnly { out.insert(handle) }
        }
        return out
    }

    func observer(model m: Int) -> ((Int, Tensor) throws -> Void)? {
        guard !observed[m].isEmpty else { return nil }
        return { [unowned self] k, tensor in
            for e in self.entriesByObserved[m][k] {
                let value: Tensor
                do { value = try e.function.compute(tensor) } catch {
                    throw OVIRError("statistic '\(e.name)' on '\(e.point)': \(error)")
                }
                self.pending[e.point, default: [:]][e.name, default: []].append(value)
            }
        }
    }

    func beginBatch() { pending = [:] }

    /// Appends the batch's value of each statistic; per-sample values (a batch run sample by sample)
    /// are joined along axis 0, and an error names the statistic when they cannot be.
    func endBatch() throws {
        defer { pending = [:] }
        for (point, byName) in pending.sorted(by: { $0.key.description < $1.key.description }) {
            for (name, parts) in byName.sorted(by: { $0.key < $1.key }) {
                let merged: Tensor
                do { merged = parts.count == 1 ? parts[0] : try concatenateBatch(parts) } catch {
                    throw OVIRError("statistic '\(name)' on '\(point)': the samples of a batch give values that cannot be joined along axis 0: \(error)")
                }
                results[point, default: [:]][name, default: []].append(merged)
            }
        }
    }
}
