/// An accuracy metric, updated by the engine as it runs (POT's `Metric`). Reference semantics.
public protocol Metric: AnyObject {
    associatedtype Annotation
    /// Metric value(s) for the last model output: `{metric name: [values]}`.
    var value: [String: [Double]] { get }
    /// The average over everything collected: `{metric name: value}`.
    var avgValue: [String: Double] { get }
    /// Whether a higher value is better (POT's default: true).
    var higherBetter: Bool { get }
    /// Adds one model output (including model-specific post-processing).
    func update(output: [Tensor], annotation: Annotation) throws
    /// Forgets everything collected.
    func reset()
    /// `{metric name: {"direction": "higher-better"|"higher-worse", "type": …}}`.
    var attributes: [String: [String: String]] { get }
}

extension Metric {
    public var higherBetter: Bool { true }
}
