/// The algorithms that ship with SwiftPOT, by POT name.
enum BuiltInAlgorithms {
    static let all: [(String, AlgorithmRegistry.Factory)] = [
        ("MinMaxQuantization", { try MinMaxQuantization(config: $0) }),
        ("DefaultQuantization", { try DefaultQuantization(config: $0) }),
    ]
}
