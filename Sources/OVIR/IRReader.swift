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

/// Reads OpenVINO IR (versions 10 and 11: `.xml` topology plus `.bin` weights) into a ``Graph``.
///
/// The XML is parsed by libxml2 without network access, entity substitution or DTD loading; a
/// document with a DOCTYPE is refused. Everything a broken or hostile file can cause is a thrown
/// ``OVIRError`` naming the file, the layer (`layer 'name' (id N, Type)`) and what was expected.
/// `Const` values borrow the memory-mapped `.bin` (see ``WeightsFile``).
public enum IRReader {
    /// The IR versions this reader accepts.
    public static let supportedVersions = [10, 11]

    /// Reads `xmlPath` and its weights: `binPath`, or by default the `.bin` with the same stem.
    ///
    /// A model whose constants need no bytes reads without a `.bin`; when constants need bytes and the
    /// default `.bin` is missing, the error names that file. An explicit `binPath` must exist.
    public static func read(xmlPath: String, binPath: String? = nil) throws -> Graph {
        let xmlData = try readXMLFile(xmlPath)
        let weights: WeightsFile?
        let weightsName: String
        if let binPath {
            weights = try WeightsFile(path: binPath)
            weightsName = binPath
        } else {
            let defaultBin = defaultWeightsPath(forXML: xmlPath)
            weightsName = defaultBin
            weights = FileManager.default.fileExists(atPath: defaultBin) ? try WeightsFile(path: defaultBin) : nil
        }
        let missing = weights == nil ? "the weights file \(weightsName) does not exist" : nil
        var parser = IRGraphParser(fileName: xmlPath, weights: weights, missingWeightsReason: missing)
        return try parser.parseDocument(xmlData)
    }

    /// Reads IR from memory, for tests and fuzzing. `fileName` is used in error messages.
    public static func read(xmlData: Data, weights: WeightsFile?, fileName: String = "<memory>") throws -> Graph {
        var parser = IRGraphParser(fileName: fileName, weights: weights,
                                   missingWeightsReason: weights == nil ? "no weights file was given" : nil)
        return try parser.parseDocument(xmlData)
    }

    /// The `.bin` path OpenVINO looks for next to an `.xml`: the same path with the extension replaced.
    public static func defaultWeightsPath(forXML xmlPath: String) -> String {
        if xmlPath.lowercased().hasSuffix(".xml") { return String(xmlPath.dropLast(4)) + ".bin" }
        return xmlPath + ".bin"
    }

    private static func readXMLFile(_ path: String) throws -> Data {
        let (exists, isDirectory) = fileStatus(atPath: path)
        guard exists else {
            throw OVIRError(file: path, "no such file; expected an OpenVINO IR .xml file")
        }
        guard !isDirectory else {
            throw OVIRError(file: path, "is a directory; expected an OpenVINO IR .xml file")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw OVIRError(file: path, "cannot read the file: \(fileErrorDescription(error))")
        }
    }
}

/// Turns the XML tree of one IR document into graphs. One parser reads one file (and its bodies).
struct IRGraphParser {
    let fileName: String
    let weights: WeightsFile?
    /// Why constants cannot be read when `weights` is nil (names the missing file).
    let missingWeightsReason: String?
    var irVersion = 11

    init(fileName: String, weights: WeightsFile?, missingWeightsReason: String?) {
        self.fileName = fileName
        self.weights = weights
        self.missingWeightsReason = missingWeightsReason
    }

    /// An error in this file at `location` (a layer label, or a description such as `<edge> at line N`).
    func fail(_ location: String?, _ message: String) -> OVIRError {
        OVIRError(file: fileName, location: location, message)
    }
    /// An error in this file, with no particular layer.
    func fail(_ message: String) -> OVIRError { OVIRError(file: fileName, message) }

    mutating func parseDocument(_ data: Data) throws -> Graph {
        let root = try XMLTree.parse(data, fileName: fileName)
        guard root.name == "net" else {
            throw fail("expected the root element <net>, found <\(root.name)>")
        }
        guard let versionText = root[attribute: "version"] else {
            throw fail("<net>: expected a version attribute (10 or 11), found none")
        }
        guard let version = irInt(versionText),
              IRReader.supportedVersions.contains(version) else {
            throw fail("unsupported IR version \"\(versionText)\"; expected 10 or 11")
        }
        irVersion = version
        let graph = try parseGraph(root, name: root[attribute: "name"] ?? "")
        graph.rtInfo = root.child(named: "rt_info")?.children.map(\.irElement) ?? []
        return graph
    }

    /// Parses the `<layers>` and `<edges>` of `<net>` or of a sub-graph `<body>`, then checks that
    /// every input is fed exactly once and that the graph is acyclic.
    func parseGraph(_ element: XMLTreeNode, name: String) throws -> Graph {
        guard let layers = element.child(named: "layers") else {
            throw fail("<\(element.name)> at line \(element.line): expected a <layers> element, found none")
        }
        var byID: [Int: Node] = [:]
        var nodes: [Node] = []
        for layerElement in layers.children where layerElement.name == "layer" {
            let node = try parseLayer(layerElement)
            if let other = byID[node.id] {
                throw fail(node.label, "duplicate layer id \(node.id) (also used by \(other.label)); expected unique ids")
            }
            byID[node.id] = node
            nodes.append(node)
        }
        // Built in one go: Graph.add checks id uniqueness linearly per node (quadratic for big models).
        let graph = Graph(name: name, irVersion: irVersion, nodes: nodes)
        for edges in element.children(named: "edges") {
            for edge in edges.children where edge.name == "edge" {
                try connect(edge, byID: byID)
            }
        }
        for node in graph.nodes {
            for input in node.inputs where input.source == nil {
                throw fail(node.label, "input port \(input.portID) has no incoming edge; expected exactly one edge to it")
            }
        }
        do {
            _ = try graph.topologicalOrder()
        } catch let e as OVIRError {
            throw e.inFile(fileName)
        }
        return graph
    }

    /// Applies one `<edge from-layer from-port to-layer to-port>`.
    private func connect(_ edge: XMLTreeNode, byID: [Int: Node]) throws {
        func number(_ key: String) throws -> Int {
            guard let text = edge[attribute: key] else {
                throw fail("<edge> at line \(edge.line): expected a \(key) attribute, found none")
            }
            guard let v = irInt(text) else {
                throw fail("<edge> at line \(edge.line): \(key) expected an integer, found \"\(text)\"")
            }
            return v
        }
        let fromLayer = try number("from-layer"), fromPort = try number("from-port")
        let toLayer = try number("to-layer"), toPort = try number("to-port")
        guard let producer = byID[fromLayer] else {
            throw fail("<edge> at line \(edge.line): from-layer \(fromLayer) expected an existing layer id, found none with that id")
        }
        guard let consumer = byID[toLayer] else {
            throw fail("<edge> at line \(edge.line): to-layer \(toLayer) expected an existing layer id, found none with that id")
        }
        guard let outIndex = producer.outputs.firstIndex(where: { $0.portID == fromPort }) else {
            let ids = producer.outputs.map { String($0.portID) }.joined(separator: ", ")
            throw fail(producer.label, "edge at line \(edge.line) reads output port \(fromPort); expected one of the output ports [\(ids)]")
        }
        guard let inIndex = consumer.inputs.firstIndex(where: { $0.portID == toPort }) else {
            let ids = consumer.inputs.map { String($0.portID) }.joined(separator: ", ")
            throw fail(consumer.label, "edge at line \(edge.line) feeds input port \(toPort); expected one of the input ports [\(ids)]")
        }
        if let existing = consumer.inputs[inIndex].source {
            throw fail(consumer.label, "input port \(toPort) is fed twice (by \(existing.node.label) and by \(producer.label)); "
                        + "expected exactly one edge to it")
        }
        consumer.inputs[inIndex].source = OutputRef(producer, outIndex)
    }
}

// MARK: - Fast text helpers (Foundation's trimming and searching dominated read time on large IR)

/// `s` without leading and trailing ASCII whitespace (space, tab, CR, LF).
func irTrim(_ s: String) -> String {
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    let u = s.utf8
    guard let first = u.first, let last = u.last, isSpace(first) || isSpace(last) else { return s }
    var start = u.startIndex, end = u.endIndex
    while start < end, isSpace(u[start]) { start = u.index(after: start) }
    while end > start, isSpace(u[u.index(before: end)]) { end = u.index(before: end) }
    return String(s[start..<end])
}

/// An integer written with optional surrounding whitespace.
func irInt(_ s: String) -> Int? { Int(s) ?? Int(irTrim(s)) }

/// A dimension: a plain integer (-1 = dynamic) without Foundation, else ``Dimension/init(parsing:)``.
func irDimension(_ s: String) -> Dimension? {
    if let v = Int(s) { return v == -1 ? .dynamic : (v >= 0 ? .fixed(v) : nil) }
    return Dimension(parsing: s)
}
