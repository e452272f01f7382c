/// The algorithms that ship with SwiftPOT, by POT name.
enum BuiltInAlgorithms {
    static let all: [(String, AlgorithmRegistry.Factory)] = []
}
