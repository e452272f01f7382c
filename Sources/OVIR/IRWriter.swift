#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a ``Graph`` as OpenVINO IR v11 (`.xml` + `.bin`), readable by OpenVINO 2023.3 and later.
///
/// The output is deterministic (the same graph gives the same bytes) and atomic: both files are
/// written to temporaries beside the targets and renamed into place; on failure nothing is left.
public enum IRWriter {
    /// Writes `graph` to `xmlPath`, and its constants to `binPath` (default: `xmlPath` with `.bin`).
    public static func write(_ graph: Graph, xmlPath: String, binPath: String? = nil) throws {
        let binPath = binPath ?? defaultBinPath(forXML: xmlPath)
        let (xml, bin) = try serialize(graph)
        let xmlURL = URL(fileURLWithPath: xmlPath), binURL = URL(fileURLWithPath: binPath)
        let xmlTmp = AtomicFile.temporaryURL(for: xmlURL), binTmp = AtomicFile.temporaryURL(for: binURL)
        do {
            try Data(xml.utf8).write(to: xmlTmp)
        } catch {
            try? FileManager.default.removeItem(at: xmlTmp)
            throw OVIRError(file: xmlPath, "cannot write the file: \(fileErrorDescription(error))")
        }
        do {
            try bin.write(to: binTmp)
        } catch {
            try? FileManager.default.removeItem(at: xmlTmp)
            try? FileManager.default.removeItem(at: binTmp)
            throw OVIRError(file: binPath, "cannot write the file: \(fileErrorDescription(error))")
        }
        // The .bin goes first, so a reader never sees a new .xml beside an old .bin.
        try AtomicFile.commit([(binTmp, binURL), (xmlTmp, xmlURL)])
    }

    /// `model.xml` → `model.bin` (other names get `.bin` appended).
    public static func defaultBinPath(forXML xmlPath: String) -> String {
        xmlPath.hasSuffix(".xml") ? String(xmlPath.dropLast(4)) + ".bin" : xmlPath + ".bin"
    }

    /// The XML text and the weights of `graph`, as ``write(_:xmlPath:binPath:)`` would store them.
    public static func serialize(_ graph: Graph) throws -> (xml: String, bin: Data) {
        var xml = XMLText()
        var weights = WeightsWriter()
        try xml.open("net", [IRAttribute("name", graph.name), IRAttribute("version", "11")])
        try writeGraphContent(graph, legacyNames: graph.irVersion < 11, into: &xml, weights: &weights)
        xml.close("net")
        return (xml.text, weights.data)
    }

    /// `<layers>`, `<edges>` and `<rt_info>` of a graph (the net, or a sub-graph body).
    static func writeGraphContent(_ graph: Graph, legacyNames: Bool, into xml: inout XMLText, weights: inout WeightsWriter) throws {
        var seenIDs = Set<Int>()
        var members = Set<ObjectIdentifier>()
        for n in graph.nodes {
            guard seenIDs.insert(n.id).inserted else { throw OVIRError(location: n.label, "duplicate layer id \(n.id)") }
            members.insert(ObjectIdentifier(n))
        }
        let extraNames = legacyNames ? legacyTensorNames(graph) : [:]
        try xml.open("layers")
        for node in graph.nodes {
            do {
                try writeLayer(node, extraNames: extraNames, into: &xml, weights: &weights)
            } catch let e as OVIRError where e.location == nil {
                var e = e
                e.location = node.label
                throw e
            }
        }
        xml.close("layers")
        let edges = try edgeList(graph, members: members)
        if edges.isEmpty {
            try xml.empty("edges")
        } else {
            try xml.open("edges")
            for e in edges {
                try xml.empty("edge", [IRAttribute("from-layer", String(e.fromLayer)), IRAttribute("from-port", String(e.fromPort)),
                                       IRAttribute("to-layer", String(e.toLayer)), IRAttribute("to-port", String(e.toPort))])
            }
            xml.close("edges")
        }
        try xml.element(IRElement(name: "rt_info", children: graph.rtInfo))
    }

    struct Edge { var fromLayer, fromPort, toLayer, toPort: Int }

    /// Edges from every connected input, ordered by producer id as OpenVINO writes them.
    static func edgeList(_ graph: Graph, members: Set<ObjectIdentifier>) throws -> [Edge] {
        var edges: [Edge] = []
        for node in graph.nodes {
            for (k, input) in node.inputs.enumerated() {
                guard let source = input.source else {
                    throw OVIRError(location: node.label, "input \(k) (port \(input.portID)) is not connected")
                }
                guard members.contains(ObjectIdentifier(source.node)) else {
                    throw OVIRError(location: node.label, "input \(k) reads from \(source.node.label), which is not in this graph")
                }
                guard source.index >= 0, source.index < source.node.outputs.count else {
                    throw OVIRError(location: node.label, "input \(k) reads output \(source.index) of \(source.node.label), which has \(source.node.outputs.count) outputs")
                }
                edges.append(Edge(fromLayer: source.node.id, fromPort: source.port.portID, toLayer: node.id, toPort: input.portID))
            }
        }
        // A stable sort keeps consumer order among edges of the same producer.
        return edges.enumerated().sorted { ($0.element.fromLayer, $0.offset) < ($1.element.fromLayer, $1.offset) }.map(\.element)
    }

    /// IR v10 carried tensor names implicitly: OpenVINO adds a Parameter's layer name to its tensor
    /// names, and the producer's layer name (`name.k` for a multi-output producer) to a Result's input.
    /// v11 reads only the names on the ports, so the writer adds them there.
    static func legacyTensorNames(_ graph: Graph) -> [OutputRef: [String]] {
        var out: [OutputRef: [String]] = [:]
        for p in graph.parameters where p.outputs.count == 1 {
            out[p.output(0), default: []].append(p.name)
        }
        for r in graph.results {
            guard let s = r.inputs.first?.source else { continue }
            out[s, default: []].append(s.node.outputs.count == 1 ? s.node.name : "\(s.node.name).\(s.index)")
        }
        return out
    }

    static let bodyOrder = ["then_body", "else_body", "body"]

    static func writeLayer(_ node: Node, extraNames: [OutputRef: [String]], into xml: inout XMLText, weights: inout WeightsWriter) throws {
        // Other <layer> attributes (a Result's `output_names` from OpenVINO 2025+) follow, verbatim.
        try xml.open("layer", [IRAttribute("id", String(node.id)), IRAttribute("name", node.name),
                               IRAttribute("type", node.type), IRAttribute("version", node.version)] + node.layerAttributes)
        // Sub-graph port maps first, as OpenVINO places them.
        for s in node.sections { try xml.element(s) }
        var data = node.attributes.entries
        if node.type == "Const" {
            guard let constant = node.constant else { throw OVIRError("a Const layer without a value") }
            data = constAttributes(data, constant: constant, offset: weights.add(constant))
        }
        if !data.isEmpty { try xml.empty("data", data) }
        if !node.rtInfo.isEmpty { try xml.element(IRElement(name: "rt_info", children: node.rtInfo)) }
        if !node.inputs.isEmpty {
            try xml.open("input")
            for p in node.inputs {
                guard let type = p.elementType ?? p.source?.port.elementType else {
                    throw OVIRError("input port \(p.portID) has no element type")
                }
                try writePort(id: p.portID, precision: type, names: [], shape: p.shape, rtInfo: p.rtInfo, into: &xml)
            }
            xml.close("input")
        }
        if !node.outputs.isEmpty {
            try xml.open("output")
            for (i, p) in node.outputs.enumerated() {
                var names = p.names
                for extra in extraNames[node.output(i)] ?? [] where !names.contains(extra) { names.append(extra) }
                try writePort(id: p.portID, precision: p.elementType, names: names, shape: p.shape, rtInfo: p.rtInfo, into: &xml)
            }
            xml.close("output")
        }
        let bodyNames = bodyOrder.filter { node.bodies[$0] != nil } + node.bodies.keys.filter { !bodyOrder.contains($0) }.sorted()
        for name in bodyNames {
            guard let body = node.bodies[name] else { continue }
            try xml.open(name)
            try writeGraphContent(body, legacyNames: false, into: &xml, weights: &weights)
            xml.close(name)
        }
        xml.close("layer")
    }

    /// A Const layer's `<data>`: element_type, shape, offset and size recomputed from its value, in the
    /// stored attribute order (missing ones appended in OpenVINO's order).
    static func constAttributes(_ stored: [IRAttribute], constant: Tensor, offset: Int) -> [IRAttribute] {
        let values: [(String, String)] = [
            ("element_type", constant.elementType.rawValue),
            ("shape", constant.shape.map(String.init).joined(separator: ", ")),
            ("offset", String(offset)),
            ("size", String(constant.byteCount)),
        ]
        var out = stored
        for (key, value) in values {
            if let i = out.firstIndex(where: { $0.name == key }) { out[i].value = value } else { out.append(IRAttribute(key, value)) }
        }
        return out
    }

    static func writePort(id: Int, precision: ElementType, names: [String], shape: PartialShape, rtInfo: [IRElement],
                          into xml: inout XMLText) throws {
        var attrs = [IRAttribute("id", String(id)), IRAttribute("precision", precision.irPrecision)]
        if !names.isEmpty {
            attrs.append(IRAttribute("names", names.map { $0.replacingLiteral(",", with: "\\,") }.joined(separator: ",")))
        }
        // A dynamic rank has no <dim> form; OpenVINO writes no dims for it (the reader re-infers shapes).
        let dims = shape.dims ?? []
        if dims.isEmpty && rtInfo.isEmpty {
            try xml.empty("port", attrs)
            return
        }
        try xml.open("port", attrs)
        // OpenVINO writes every non-static dimension as -1 in port dims.
        for d in dims { try xml.leaf("dim", text: d.staticValue.map(String.init) ?? "-1") }
        if !rtInfo.isEmpty { try xml.element(IRElement(name: "rt_info", children: rtInfo)) }
        xml.close("port")
    }
}
