import POTCore

/// Lets algorithms cap `stat_subset_size` at the dataset size, as POT's `len(engine.data_loader)`.
extension IEEngine: DatasetSizedEngine {
    package var datasetSize: Int { dataLoader.count }
}
