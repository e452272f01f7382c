/// A generic XML element kept verbatim for round trips: `rt_info`, `port_map`, `back_edges`, and
/// other IR sections that SwiftPOT reads but does not interpret itself.
public struct IRElement: Hashable, Sendable {
    public var name: String
    /// Attributes in document order.
    public var attributes: [IRAttribute]
    public var children: [IRElement]
    /// Text content, when the element has any (trimmed).
    public var text: String?

    public init(name: String, attributes: [IRAttribute] = [], children: [IRElement] = [], text: String? = nil) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    public subscript(attribute key: String) -> String? {
        attributes.first(where: { $0.name == key })?.value
    }

    public func children(named n: String) -> [IRElement] { children.filter { $0.name == n } }
    public func child(named n: String) -> IRElement? { children.first { $0.name == n } }
}

/// One attribute as written in the IR (name and raw text).
public struct IRAttribute: Hashable, Sendable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }
}
