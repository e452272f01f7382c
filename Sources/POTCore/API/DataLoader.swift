@_exported import OVIR

/// A dataset: indexed access to preprocessed samples (POT's `DataLoader`).
///
/// `count` is the dataset size; `item(at:)` accepts every index in `0..<count`. Errors thrown by
/// `item(at:)` stop `predict` with an error naming the sample index.
public protocol DataLoader {
    /// What the ``Metric`` receives with each output.
    associatedtype Annotation
    /// The dataset size.
    var count: Int { get }
    /// The preprocessed sample at `index` (`0..<count`).
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

/// The model input of one sample: one tensor for a single-input model, or tensors by input name
/// (POT: a numpy array, or a dict `{input name: array}`).
public enum ModelInput {
    /// The only input of a single-input model.
    case tensor(Tensor)
    /// Tensors keyed by model input name (any tensor name of the input, or its Parameter's name).
    case named([String: Tensor])
}

/// JSON-like metadata values, plus tensors, passed to ``IEEngine/postprocessOutput(_:metadata:)``.
public enum MetadataValue {
    /// A string, a number or a boolean.
    case string(String), number(Double), bool(Bool)
    /// A list, a dictionary or a tensor.
    case array([MetadataValue]), dictionary([String: MetadataValue]), tensor(Tensor)
}
