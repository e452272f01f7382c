/// Model inference, statistics collection and metric computation over a dataset (POT's `Engine`).
public protocol Engine: AnyObject {
    /// Sets the model to run; the engine prepares (compiles) it.
    func setModel(_ model: CompressedModel) throws
    /// Runs the dataset (or the sampler's batches), updating the metric and collecting statistics.
    func predict(statsLayout: StatsLayout?, sampler: (any Sampler)?,
                 metricPerSample: Bool, printProgress: Bool) throws -> PredictionResult
}

extension Engine {
    /// `predict` with POT's defaults; each argument can be given alone.
    public func predict(statsLayout: StatsLayout? = nil, sampler: (any Sampler)? = nil,
                        metricPerSample: Bool = false, printProgress: Bool = false) throws -> PredictionResult {
        try predict(statsLayout: statsLayout, sampler: sampler, metricPerSample: metricPerSample, printProgress: printProgress)
    }
}

/// What `predict` returns.
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
    public var sampleID: Int
    public var metricName: String
    public var result: Double
    public init(sampleID: Int, metricName: String, result: Double) {
        self.sampleID = sampleID
        self.metricName = metricName
        self.result = result
    }
}

/// Which statistics to collect where: `{node output: {stat name: function}}`.
public typealias StatsLayout = [StatisticPoint: [String: StatisticFunction]]

/// A node's output port (default 0), named by the layer name.
public struct StatisticPoint: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var node: String
    public var port: Int
    public init(node: String, port: Int = 0) {
        self.node = node
        self.port = port
    }
    public init(stringLiteral value: String) { self.init(node: value) }
    public var description: String { port == 0 ? node : "\(node):\(port)" }
}
