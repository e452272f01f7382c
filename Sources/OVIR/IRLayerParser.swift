#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Layer-level parsing: `<layer>` attributes, `<data>`, ports, rt_info, sub-graph bodies, constants.
extension IRGraphParser {
    /// Child elements of `<layer>` that become sub-graph bodies (recursively parsed).
    static let bodyElements: Set<String> = ["body", "then_body", "else_body"]
    /// Child elements of `<layer>` interpreted by the reader; every other child is kept verbatim in `sections`.
    static let interpretedElements: Set<String> = ["data", "input", "output", "rt_info", "body", "then_body", "else_body"]
    /// Attributes of `<layer>` that are Node fields; the rest go to `layerAttributes`.
    static let layerFields: Set<String> = ["id", "name", "type", "version"]

    func parseLayer(_ el: XMLTreeNode) throws -> Node {
        let name = el[attribute: "name"] ?? ""
        let type = el[attribute: "type"] ?? ""
        let where_ = "layer '\(name)' at line \(el.line)"
        guard let idText = el[attribute: "id"] else {
            throw fail(where_, "expected an id attribute, found none")
        }
        guard let id = irInt(idText), id >= 0 else {
            throw fail(where_, "id: expected a non-negative integer, found \"\(idText)\"")
        }
        guard !type.isEmpty else {
            throw fail("layer '\(name)' (id \(id))", "expected a type attribute, found none")
        }
        let node = Node(id: id, name: name, type: type, version: el[attribute: "version"] ?? "")
        node.layerAttributes = el.attributes.filter { !Self.layerFields.contains($0.name) }
        let data = el.child(named: "data")
        node.attributes = Attributes(data?.attributes ?? [])
        node.rtInfo = el.child(named: "rt_info")?.children.map(\.irElement) ?? []

        var portIDs = Set<Int>()
        for port in el.child(named: "input")?.children(named: "port") ?? [] {
            let (portID, precision, shape, rt) = try parsePort(port, node: node, ids: &portIDs)
            var elementType: ElementType?
            if let precision {
                guard let t = ElementType(irName: precision) else {
                    throw unsupportedType(precision, node: node, what: "input port \(portID) precision")
                }
                elementType = t
            }
            node.inputs.append(InputPort(portID: portID, elementType: elementType, shape: shape, rtInfo: rt))
        }
        for port in el.child(named: "output")?.children(named: "port") ?? [] {
            let (portID, precision, shape, rt) = try parsePort(port, node: node, ids: &portIDs)
            guard let precision else {
                throw fail(node.label, "output port \(portID): expected a precision attribute, found none")
            }
            guard let elementType = ElementType(irName: precision) else {
                throw unsupportedType(precision, node: node, what: "output port \(portID) precision")
            }
            let names = Self.splitTensorNames(port[attribute: "names"] ?? "")
            node.outputs.append(OutputPort(portID: portID, elementType: elementType, shape: shape, names: names, rtInfo: rt))
        }

        for child in el.children where !Self.interpretedElements.contains(child.name) {
            node.sections.append(child.irElement)
        }
        for child in el.children where Self.bodyElements.contains(child.name) {
            if node.bodies[child.name] != nil {
                throw fail(node.label, "<\(child.name)> appears twice; expected at most one")
            }
            node.bodies[child.name] = try parseGraph(child, name: child.name)
        }

        switch type {
        case "Parameter": try applyParameterData(node)
        case "Const": node.constant = try makeConstant(node)
        default: break
        }
        return node
    }

    /// Reads one `<port>`: id (unique within the layer), precision, dims, rt_info.
    private func parsePort(_ port: XMLTreeNode, node: Node, ids: inout Set<Int>)
        throws -> (Int, String?, PartialShape, [IRElement]) {
        guard let idText = port[attribute: "id"] else {
            throw fail(node.label, "<port> at line \(port.line): expected an id attribute, found none")
        }
        guard let portID = irInt(idText), portID >= 0 else {
            throw fail(node.label, "<port> at line \(port.line): id expected a non-negative integer, found \"\(idText)\"")
        }
        guard ids.insert(portID).inserted else {
            throw fail(node.label, "port id \(portID) is used twice; expected unique port ids within a layer")
        }
        var dims: [Dimension] = []
        for dim in port.children(named: "dim") {
            let text = dim.text ?? ""
            guard let d = irDimension(text) else {
                throw fail(node.label, "port \(portID) <dim>: expected a non-negative integer, -1 or a range lo..hi, found \"\(text)\"")
            }
            dims.append(d)
        }
        let rt = port.child(named: "rt_info")?.children.map(\.irElement) ?? []
        return (portID, port[attribute: "precision"], PartialShape(dims), rt)
    }

    func unsupportedType(_ name: String, node: Node, what: String) -> OVIRError {
        let known = ElementType.allCases.map(\.rawValue).joined(separator: ", ")
        return fail(node.label, "\(what): unsupported element type \"\(name)\"; expected one of \(known)")
    }

    /// A Parameter's `<data element_type shape>` is authoritative: it keeps interval dims (`1..10`)
    /// and dynamic rank (`...`) that the port's `<dim>`s flatten to -1 or omit.
    private func applyParameterData(_ node: Node) throws {
        guard let output = node.outputs.indices.first else {
            throw fail(node.label, "expected one output port, found none")
        }
        if let typeName = node.attributes["element_type"] {
            guard let t = ElementType(irName: typeName) else {
                throw unsupportedType(typeName, node: node, what: "element_type")
            }
            node.outputs[output].elementType = t
        }
        if let shapeText = node.attributes["shape"] {
            node.outputs[output].shape = try parsePartialShape(shapeText, node: node)
        }
    }

    /// `1,3,224,224`, `` (scalar), `...` (dynamic rank), with `-1`, `?` and ranges as dims.
    func parsePartialShape(_ text: String, node: Node) throws -> PartialShape {
        let s = irTrim(text)
        if s == "..." { return .dynamicRank }
        if s.isEmpty { return PartialShape([]) }
        var dims: [Dimension] = []
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            guard let d = irDimension(String(part)) else {
                throw fail(node.label, "shape \"\(text)\": expected non-negative integers, -1, ? or ranges lo..hi, found \"\(part)\"")
            }
            dims.append(d)
        }
        return PartialShape(dims)
    }

    /// Splits `names="a,b\,c"` into `["a", "b,c"]`: OpenVINO escapes commas inside a name as `\,`.
    static func splitTensorNames(_ text: String) -> [String] {
        var names: [String] = []
        var current = ""
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            if c == "\\" {
                if let next = iterator.next() {
                    if next != "," { current.append(c) }
                    current.append(next)
                } else {
                    current.append(c)
                }
            } else if c == "," {
                if !current.isEmpty { names.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { names.append(current) }
        return names
    }
}
