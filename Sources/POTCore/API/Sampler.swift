/// An ordered sequence of batches; each element lists the dataset indices of one batch.
public protocol Sampler: Sequence where Element == [Int] {
    /// The number of batches.
    var count: Int { get }
}

/// Batches of consecutive indices from the whole dataset or from a subset (POT's `BatchSampler`).
public struct BatchSampler: Sampler {
    /// The dataset indices, in iteration order.
    public let indices: [Int]
    /// Samples per batch (at least 1).
    public let batchSize: Int

    /// `subsetIndices == nil` iterates the whole dataset; the last batch may be smaller.
    public init<L: DataLoader>(dataLoader: L, batchSize: Int = 1, subsetIndices: [Int]? = nil) {
        self.indices = subsetIndices ?? Array(0..<dataLoader.count)
        self.batchSize = Swift.max(1, batchSize)
    }

    /// A sampler over explicit indices (for engines and algorithms that pick subsets).
    public init(indices: [Int], batchSize: Int = 1) {
        self.indices = indices
        self.batchSize = Swift.max(1, batchSize)
    }

    public var count: Int { (indices.count + batchSize - 1) / batchSize }

    /// The batches in order: consecutive runs of `batchSize` indices.
    public func makeIterator() -> IndexingIterator<[[Int]]> {
        stride(from: 0, to: indices.count, by: batchSize).map {
            Array(indices[$0..<Swift.min($0 + batchSize, indices.count)])
        }.makeIterator()
    }
}
