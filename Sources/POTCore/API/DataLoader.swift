@_exported import OVIR

/// A dataset: indexed access to preprocessed samples (POT's `DataLoader`).
///
/// `count` is the dataset size; `item(at:)` accepts every index in `0..<count`.
public protocol DataLoader {
    associatedtype Annotation
    var count: Int { get }
    func item(at index: Int) throws -> DataItem<Annotation>
}

/// One sample: the model input, the annotation a ``Metric`` expects, and optional metadata.
public struct DataItem<Annotation> {
    /// What is fed to the model, already preprocessed.
    public var data: ModelInput
    /// What the metric expects.
    public var annotation: Annotation
    /// Optional extras for post-processing.
    public var metadata: [String: MetadataValue]

    public init(data: ModelInput, annotation: Annotation, metadata: [String: MetadataValue] = [:]) {
        self.data = data
        self.annotation = annotation
        self.metadata = metadata
    }
}

/// The model input of one sample: one tensor for a single-input model, or tensors by input name.
public enum ModelInput {
    case tensor(Tensor)
    case named([String: Tensor])
}

/// JSON-like metadata values, plus tensors.
public enum MetadataValue {
    case string(String), number(Double), bool(Bool)
    case array([MetadataValue]), dictionary([String: MetadataValue]), tensor(Tensor)
}
