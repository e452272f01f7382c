/// Control flow: TensorIterator-1, Loop-5 and If-8. Each body is compiled once, when the node is,
/// into its own ``CompiledModel``; the port maps say which node input feeds which body Parameter
/// and which body Result becomes which node output.
enum ControlFlowOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("TensorIterator", 1) { try LoopKernel(node: $0, isLoop: false) },
        OpDefinition("Loop", 5) { try LoopKernel(node: $0, isLoop: true) },
        OpDefinition("If", 8) { try IfKernel(node: $0) },
    ]
}

/// How a sliced input is cut into parts, or a concatenated output is assembled from them
/// (`axis`, `start`, `end`, `stride`, `part_size` of a port map entry).
struct IterationSlicing: Sendable {
    var axis: Int
    var start: Int
    var end: Int
    var stride: Int
    var partSize: Int

    /// The first index and the number of parts when slicing a dimension of `size`, as OpenVINO
    /// counts them: negative `start`/`end` count from `size + 1`; a negative stride walks backwards.
    func parts(ofDimension size: Int) throws -> (first: Int, count: Int) {
        let s = start < 0 ? size + 1 + start : start
        let e = end < 0 ? size + 1 + end : end
        let step = Swift.max(Swift.abs(stride), 1)
        let (lo, hi) = stride < 0 ? (e, s) : (s, e)
        guard lo >= 0, lo <= hi, hi <= size, partSize > 0 else {
            throw OVIRError("port map slice start \(start), end \(end), stride \(stride) does not fit a dimension of \(size)")
        }
        return (stride < 0 ? hi - partSize : lo, (hi - lo) / step)
    }

    /// Offset of part `i` along the axis.
    func offset(ofPart i: Int, first: Int) -> Int {
        let step = Swift.max(Swift.abs(stride), 1)
        return stride < 0 ? first - i * step : first + i * step
    }
}

/// One port map entry, resolved to node port indices and body Parameter/Result indices.
struct PortMapping: Sendable {
    /// Index into the node's inputs (for an input entry) or outputs (for an output entry); nil for
    /// special body ports (`purpose="current_iteration"`, `purpose="execution_condition"`).
    var external: Int?
    /// Index into the body's compiled inputs (Parameters) or outputs (Results).
    var bodyIndex: Int
    var slicing: IterationSlicing?
    var purpose: String?
}

/// A parsed port map (`port_map`, `then_port_map`, `else_port_map`) and `back_edges`.
struct BodyPortMap {
    var inputs: [PortMapping] = []
    var outputs: [PortMapping] = []
    /// (body Result index, body Parameter index).
    var backEdges: [(from: Int, to: Int)] = []

    init(node: Node, body: CompiledModel, portMap: String, backEdges backEdgesName: String? = nil) throws {
        guard let section = node.sections.first(where: { $0.name == portMap }) else {
            throw OVIRError("missing <\(portMap)>; expected the port map of the body")
        }
        func param(_ id: Int) throws -> Int {
            guard let k = body.parameterNodes.firstIndex(where: { $0.id == id }) else {
                throw OVIRError("<\(portMap)> names internal_layer_id \(id), which is not a Parameter of the body")
            }
            return k
        }
        func result(_ id: Int) throws -> Int {
            guard let k = body.resultNodes.firstIndex(where: { $0.id == id }) else {
                throw OVIRError("<\(portMap)> names internal_layer_id \(id), which is not a Result of the body")
            }
            return k
        }
        for entry in section.children where entry.name == "input" || entry.name == "output" {
            let isInput = entry.name == "input"
            guard let idText = entry[attribute: "internal_layer_id"], let id = Int(idText),
                  let extText = entry[attribute: "external_port_id"], let ext = Int(extText) else {
                throw OVIRError("<\(portMap)> \(entry.name) needs integer external_port_id and internal_layer_id")
            }
            var m = PortMapping(external: nil, bodyIndex: isInput ? try param(id) : try result(id),
                                slicing: try Self.slicing(entry), purpose: entry[attribute: "purpose"])
            if ext >= 0 {
                m.external = isInput ? try Self.inputIndex(node, port: ext) : try Self.outputIndex(node, port: ext)
            }
            if isInput { inputs.append(m) } else { outputs.append(m) }
        }
        if let backEdgesName, let edges = node.sections.first(where: { $0.name == backEdgesName }) {
            for e in edges.children where e.name == "edge" {
                guard let f = e[attribute: "from-layer"].flatMap({ Int($0) }), let t = e[attribute: "to-layer"].flatMap({ Int($0) }) else {
                    throw OVIRError("<\(backEdgesName)> edge needs integer from-layer and to-layer")
                }
                backEdges.append((try result(f), try param(t)))
            }
        }
    }

    private static func slicing(_ e: IRElement) throws -> IterationSlicing? {
        guard let axisText = e[attribute: "axis"] else { return nil }
        func int(_ key: String, _ d: Int) throws -> Int {
            guard let t = e[attribute: key] else { return d }
            guard let v = Int(t) else { throw OVIRError("port map \(key): expected an integer, found \"\(t)\"") }
            return v
        }
        guard let axis = Int(axisText) else { throw OVIRError("port map axis: expected an integer, found \"\(axisText)\"") }
        return IterationSlicing(axis: axis, start: try int("start", 0), end: try int("end", -1),
                                stride: try int("stride", 1), partSize: try int("part_size", 1))
    }

    /// The node input whose IR port id is `port` (GraphBuilder and IR both number inputs first).
    static func inputIndex(_ node: Node, port: Int) throws -> Int {
        if let k = node.inputs.firstIndex(where: { $0.portID == port }) { return k }
        throw OVIRError("port map names external_port_id \(port), but the layer has no input port \(port) (inputs: \(node.inputs.map(\.portID)))")
    }

    static func outputIndex(_ node: Node, port: Int) throws -> Int {
        if let k = node.outputs.firstIndex(where: { $0.portID == port }) { return k }
        throw OVIRError("port map names external_port_id \(port), but the layer has no output port \(port) (outputs: \(node.outputs.map(\.portID)))")
    }
}

extension ControlFlowOps {
    /// Compiles a body graph, naming it in errors.
    static func compileBody(_ node: Node, _ name: String) throws -> CompiledModel {
        guard let graph = node.bodies[name] else { throw OVIRError("missing <\(name)>; expected a sub-graph body") }
        do {
            return try CompiledModel(graph: graph, options: CompileOptions(constantFolding: true))
        } catch let e as OVIRError {
            throw OVIRError(file: e.file, location: e.location.map { "<\(name)> \($0)" } ?? "<\(name)>", e.message)
        }
    }

    /// `[outer, axisSize, inner]` byte geometry of `shape` around `axis`.
    static func geometry(_ t: Tensor, axis: Int) throws -> (outer: Int, size: Int, innerBytes: Int) {
        guard t.elementType.bitWidth >= 8 else { throw OVIRError("slicing \(t.elementType.rawValue) tensors is not supported") }
        guard axis >= 0 && axis < t.rank else { throw OVIRError("axis \(axis) is out of range for shape \(t.shape)") }
        let outer = t.shape[..<axis].reduce(1, *), inner = t.shape[(axis + 1)...].reduce(1, *)
        return (outer, t.shape[axis], inner * t.elementType.byteWidth)
    }

    /// `t[..., offset ..< offset+length, ...]` along `axis`.
    static func slice(_ t: Tensor, axis: Int, offset: Int, length: Int) throws -> Tensor {
        let g = try geometry(t, axis: axis)
        guard offset >= 0, offset + length <= g.size else {
            throw OVIRError("slice \(offset)..<\(offset + length) is out of range for axis \(axis) of shape \(t.shape)")
        }
        var shape = t.shape
        shape[axis] = length
        let out = Tensor(zeros: t.elementType, shape: shape)
        let src = t.rawPointer, dst = out.rawPointer
        let rowBytes = length * g.innerBytes
        for o in 0..<g.outer {
            (dst + o * rowBytes).copyMemory(from: src + (o * g.size + offset) * g.innerBytes, byteCount: rowBytes)
        }
        return out
    }

    /// Concatenates `parts` along `axis` (all other dims equal).
    static func concat(_ parts: [Tensor], axis: Int) throws -> Tensor {
        guard let first = parts.first else { throw OVIRError("nothing to concatenate") }
        var shape = first.shape
        guard axis >= 0 && axis < shape.count else { throw OVIRError("concat axis \(axis) is out of range for shape \(shape)") }
        for p in parts {
            var a = p.shape, b = first.shape
            guard a.count == b.count else { throw OVIRError("iteration outputs have different ranks: \(first.shape) and \(p.shape)") }
            a[axis] = 0; b[axis] = 0
            guard a == b, p.elementType == first.elementType else {
                throw OVIRError("iteration outputs cannot be concatenated along axis \(axis): \(first.shape) and \(p.shape)")
            }
        }
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let out = Tensor(zeros: first.elementType, shape: shape)
        let total = try geometry(out, axis: axis)
        var at = 0
        for p in parts {
            let g = try geometry(p, axis: axis), rowBytes = g.size * g.innerBytes
            for o in 0..<g.outer {
                (out.rawPointer + (o * total.size + at) * g.innerBytes).copyMemory(from: p.rawPointer + o * rowBytes, byteCount: rowBytes)
            }
            at += g.size
        }
        return out
    }
}
