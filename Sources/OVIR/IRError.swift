/// An error caused by a model file, a data file or an argument: it names where (file, layer, port,
/// input) and says what was expected and what was found.
public struct OVIRError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file involved, when there is one.
    public var file: String?
    /// The layer (node) involved, as `'name' (id N, Type)`, when there is one.
    public var location: String?
    /// What was expected and what was found.
    public var message: String

    public init(file: String? = nil, location: String? = nil, _ message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let location { parts.append(location) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// A copy with the file set, unless it already names one.
    public func inFile(_ path: String) -> OVIRError {
        var e = self
        if e.file == nil { e.file = path }
        return e
    }
}
