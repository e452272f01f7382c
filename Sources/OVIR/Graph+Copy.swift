extension Graph {
    /// A deep copy: new nodes with the same ids, names, attributes and ports, wired the same way.
    /// Constants share their (copy-on-write) storage; sub-graph bodies are copied too.
    public func copy() -> Graph {
        var map: [ObjectIdentifier: Node] = [:]
        let newNodes = nodes.map { n -> Node in
            let c = Node(id: n.id, name: n.name, type: n.type, version: n.version, attributes: n.attributes,
                         inputs: n.inputs, outputs: n.outputs, constant: n.constant,
                         bodies: n.bodies.mapValues { $0.copy() }, sections: n.sections, rtInfo: n.rtInfo)
            map[ObjectIdentifier(n)] = c
            return c
        }
        for c in newNodes {
            for i in c.inputs.indices {
                if let s = c.inputs[i].source, let target = map[ObjectIdentifier(s.node)] {
                    c.inputs[i].source = OutputRef(target, s.index)
                }
            }
        }
        return Graph(name: name, irVersion: irVersion, nodes: newNodes, rtInfo: rtInfo)
    }
}
