/// Model inference, statistics collection and metric computation over a dataset (POT's `Engine`).
public protocol Engine: AnyObject {
    /// Sets the model to run; the engine prepares (compiles) it.
    func setModel(_ model: CompressedModel) throws
    /// Runs the dataset (or the sampler's batches), updating the metric and collecting statistics.
    func predict(statsLayout: StatsLayout?, sampler: (any Sampler)?,
                 metricPerSample: Bool, printProgress: Bool) throws -> PredictionResult
}

extension Engine {
    /// `predict` with POT's defaults (no statistics, the whole dataset one sample per batch, overall
    /// metrics only, no progress); each argument can be given alone: `predict()`,
    /// `predict(statsLayout: layout)`, `predict(sampler: s)`, `predict(metricPerSample: true)`.
    public func predict(statsLayout: StatsLayout? = nil, sampler: (any Sampler)? = nil,
                        metricPerSample: Bool = false, printProgress: Bool = false) throws -> PredictionResult {
        try predict(statsLayout: statsLayout, sampler: sampler, metricPerSample: metricPerSample, printProgress: printProgress)
    }
}

/// What `predict` returns (POT's `(metrics, statistics)` tuple, with named fields).
public struct PredictionResult {
    /// Overall metrics; nil without a Metric.
    public var metrics: [String: Double]?
    /// Per-sample metrics, when `metricPerSample`.
    public var perSample: [SampleMetric]?
    /// `{node: {stat name: [one value per batch]}}`, batches in sampler order.
    public var statistics: [StatisticPoint: [String: [Tensor]]]

    public init(metrics: [String: Double]? = nil, perSample: [SampleMetric]? = nil,
                statistics: [StatisticPoint: [String: [Tensor]]] = [:]) {
        self.metrics = metrics
        self.perSample = perSample
        self.statistics = statistics
    }
}

/// One sample's metric value: (sample id, metric name, result), as POT's per-sample list.
public struct SampleMetric: Hashable, Sendable {
    /// The dataset index of the sample.
    public var sampleID: Int
    /// A key of the metric's `value`.
    public var metricName: String
    /// The metric's last value for that sample.
    public var result: Double
    public init(sampleID: Int, metricName: String, result: Double) {
        self.sampleID = sampleID
        self.metricName = metricName
        self.result = result
    }
}

/// Which statistics to collect where: `{node output: {stat name: function}}`.
public typealias StatsLayout = [StatisticPoint: [String: StatisticFunction]]

/// A node's output port (default 0), named by the layer name. A string literal names port 0:
/// `["relu1": ["max": .max()]]`. The node may sit anywhere in the graph (in any cascade member);
/// observing it does not change the model's outputs.
public struct StatisticPoint: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The layer (node) name, as in the IR's `<layer name=…>`; a Result layer names its input.
    public var node: String
    /// The output port index among the node's outputs (0 for the first).
    public var port: Int
    public init(node: String, port: Int = 0) {
        self.node = node
        self.port = port
    }
    public init(stringLiteral value: String) { self.init(node: value) }
    public var description: String { port == 0 ? node : "\(node):\(port)" }
}
