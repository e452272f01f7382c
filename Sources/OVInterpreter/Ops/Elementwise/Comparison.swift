/// The comparison ops that share one kernel.
enum ComparisonOp: Sendable { case equal, notEqual, less, lessEqual, greater, greaterEqual }

/// Elementwise comparison with `auto_broadcast`, producing `boolean`: Equal-1, NotEqual-1, Less-1,
/// LessEqual-1, Greater-1, GreaterEqual-1. IEEE semantics for floats (NaN compares unequal).
final class ComparisonKernel: Kernel {
    let op: ComparisonOp
    let name: String
    let broadcast: AutoBroadcast

    init(_ node: Node, _ op: ComparisonOp) throws {
        self.op = op
        name = node.type
        broadcast = try AutoBroadcast(node.attributes)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 2...2, name)
        try expectSameTypes(inputs, name)
        guard inputs[0].elementType.bitWidth >= 8 else {
            throw unsupportedType(name, inputs[0].elementType, "a floating-point, integer or boolean type")
        }
        return [ValueInfo(.boolean, try broadcast.partialShape(inputs[0].shape, inputs[1].shape))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0], b = inputs[1]
        switch a.elementType {
        case .f32: compare(a, b, &outputs[0], Float.self)
        case .f64: compare(a, b, &outputs[0], Double.self)
        case .f16: compare(a, b, &outputs[0], Float16.self)
        case .bf16: compare(a.widenedToF32(), b.widenedToF32(), &outputs[0], Float.self)
        case .i8: compare(a, b, &outputs[0], Int8.self)
        case .i16: compare(a, b, &outputs[0], Int16.self)
        case .i32: compare(a, b, &outputs[0], Int32.self)
        case .i64: compare(a, b, &outputs[0], Int64.self)
        case .u8, .boolean: compare(a, b, &outputs[0], UInt8.self)
        case .u16: compare(a, b, &outputs[0], UInt16.self)
        case .u32: compare(a, b, &outputs[0], UInt32.self)
        case .u64: compare(a, b, &outputs[0], UInt64.self)
        case .u1, .u4, .i4: throw unsupportedType(name, a.elementType, "a floating-point, integer or boolean type")
        }
    }

    private func compare<T: Comparable>(_ a: Tensor, _ b: Tensor, _ out: inout Tensor, _ t: T.Type) {
        let u = UInt8.self
        switch op {
        case .equal: mapBinary(a, b, &out, broadcast, t, t, u) { $0 == $1 ? 1 : 0 }
        case .notEqual: mapBinary(a, b, &out, broadcast, t, t, u) { $0 != $1 ? 1 : 0 }
        case .less: mapBinary(a, b, &out, broadcast, t, t, u) { $0 < $1 ? 1 : 0 }
        case .lessEqual: mapBinary(a, b, &out, broadcast, t, t, u) { $0 <= $1 ? 1 : 0 }
        case .greater: mapBinary(a, b, &out, broadcast, t, t, u) { $0 > $1 ? 1 : 0 }
        case .greaterEqual: mapBinary(a, b, &out, broadcast, t, t, u) { $0 >= $1 ? 1 : 0 }
        }
    }
}

/// The logical and bitwise binary ops.
enum BitOp: Sendable { case and, or, xor, leftShift, rightShift }

/// Logical ops on `boolean` with `auto_broadcast`: LogicalAnd-1, LogicalOr-1, LogicalXor-1 (any
/// nonzero byte is true; the output is 0 or 1).
final class LogicalBinaryKernel: Kernel {
    let op: BitOp
    let name: String
    let broadcast: AutoBroadcast

    init(_ node: Node, _ op: BitOp) throws {
        self.op = op
        name = node.type
        broadcast = try AutoBroadcast(node.attributes)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 2...2, name)
        for v in inputs where v.elementType != .boolean { throw unsupportedType(name, v.elementType, "boolean") }
        return [ValueInfo(.boolean, try broadcast.partialShape(inputs[0].shape, inputs[1].shape))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let u = UInt8.self
        switch op {
        case .and: mapBinary(inputs[0], inputs[1], &outputs[0], broadcast, u, u, u) { ($0 != 0 && $1 != 0) ? 1 : 0 }
        case .or: mapBinary(inputs[0], inputs[1], &outputs[0], broadcast, u, u, u) { ($0 != 0 || $1 != 0) ? 1 : 0 }
        default: mapBinary(inputs[0], inputs[1], &outputs[0], broadcast, u, u, u) { (($0 != 0) != ($1 != 0)) ? 1 : 0 }
        }
    }
}

/// Bitwise ops on integers and `boolean` with `auto_broadcast`: BitwiseAnd-13, BitwiseOr-13,
/// BitwiseXor-13, BitwiseLeftShift-15, BitwiseRightShift-15. Shifts by a negative count or by the
/// bit width or more give 0 (a right shift of a negative signed value gives -1).
final class BitwiseBinaryKernel: Kernel {
    let op: BitOp
    let name: String
    let broadcast: AutoBroadcast

    init(_ node: Node, _ op: BitOp) throws {
        self.op = op
        name = node.type
        broadcast = try AutoBroadcast(node.attributes)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 2...2, name)
        try expectSameTypes(inputs, name)
        let t = inputs[0].elementType
        let shifts = op == .leftShift || op == .rightShift
        guard t.isInteger && t.bitWidth >= 8 || (t == .boolean && !shifts) else {
            throw unsupportedType(name, t, shifts ? "an integer type" : "an integer or boolean type")
        }
        return [ValueInfo(t, try broadcast.partialShape(inputs[0].shape, inputs[1].shape))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let a = inputs[0], b = inputs[1]
        switch a.elementType {
        case .i8: bits(a, b, &outputs[0], Int8.self)
        case .i16: bits(a, b, &outputs[0], Int16.self)
        case .i32: bits(a, b, &outputs[0], Int32.self)
        case .i64: bits(a, b, &outputs[0], Int64.self)
        case .u8: bits(a, b, &outputs[0], UInt8.self)
        case .u16: bits(a, b, &outputs[0], UInt16.self)
        case .u32: bits(a, b, &outputs[0], UInt32.self)
        case .u64: bits(a, b, &outputs[0], UInt64.self)
        case .boolean:
            let u = UInt8.self
            switch op {
            case .and: mapBinary(a, b, &outputs[0], broadcast, u, u, u) { ($0 != 0 && $1 != 0) ? 1 : 0 }
            case .or: mapBinary(a, b, &outputs[0], broadcast, u, u, u) { ($0 != 0 || $1 != 0) ? 1 : 0 }
            default: mapBinary(a, b, &outputs[0], broadcast, u, u, u) { (($0 != 0) != ($1 != 0)) ? 1 : 0 }
            }
        default: throw unsupportedType(name, a.elementType, "an integer or boolean type")
        }
    }

    private func bits<T: KernelInt>(_ a: Tensor, _ b: Tensor, _ out: inout Tensor, _ t: T.Type) {
        switch op {
        case .and: mapBinary(a, b, &out, broadcast, t, t, t) { $0 & $1 }
        case .or: mapBinary(a, b, &out, broadcast, t, t, t) { $0 | $1 }
        case .xor: mapBinary(a, b, &out, broadcast, t, t, t) { $0 ^ $1 }
        case .leftShift:
            mapBinary(a, b, &out, broadcast, t, t, t) { x, s in (s < 0 || s >= T.bitWidth) ? 0 : x << s }
        case .rightShift:
            mapBinary(a, b, &out, broadcast, t, t, t) { x, s in
                (s < 0 || s >= T.bitWidth) ? (x < 0 ? T.zero &- 1 : 0) : x >> s
            }
        }
    }
}

/// Select-1: `out = cond ? then : else`, with numpy (default), pdpd or no broadcasting of the three inputs.
final class SelectKernel: Kernel {
    let broadcast: AutoBroadcast

    init(_ node: Node) throws { broadcast = try AutoBroadcast(node.attributes) }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        try expectInputs(inputs, 3...3, "Select")
        guard inputs[0].elementType == .boolean else {
            throw OVIRError("Select expects a boolean condition (input 0), found \(inputs[0].elementType.rawValue)")
        }
        try expectSameTypes(Array(inputs[1...]), "Select (then/else)")
        guard inputs[1].elementType.bitWidth >= 8 else { throw unsupportedType("Select", inputs[1].elementType, "a byte-sized type") }
        let shape: PartialShape
        switch broadcast {
        case .pdpd:
            shape = try broadcast.partialShape(inputs[1].shape, inputs[2].shape)
            _ = try broadcast.partialShape(shape, inputs[0].shape)
        default:
            shape = try broadcast.partialShape(try broadcast.partialShape(inputs[0].shape, inputs[1].shape), inputs[2].shape)
        }
        return [ValueInfo(inputs[1].elementType, shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        switch inputs[1].elementType.byteWidth {
        case 1: select(inputs, &outputs[0], UInt8.self)
        case 2: select(inputs, &outputs[0], UInt16.self)
        case 4: select(inputs, &outputs[0], UInt32.self)
        default: select(inputs, &outputs[0], UInt64.self)
        }
    }

    /// Copies element bits of width `T`.
    private func select<T>(_ inputs: [Tensor], _ out: inout Tensor, _: T.Type) {
        let c = inputs[0].pointer(UInt8.self), x = inputs[1].pointer(T.self), y = inputs[2].pointer(T.self)
        let po = out.pointer(T.self)
        let n = out.count
        if inputs.allSatisfy({ $0.shape == out.shape }) {
            for i in 0..<n { po[i] = c[i] != 0 ? x[i] : y[i] }
            return
        }
        let strides = inputs.map { broadcast.readStrides(input: $0.shape, output: out.shape) }
        forEachBroadcastN(out.shape, strides) { o, off in po[o] = c[off[0]] != 0 ? x[off[1]] : y[off[2]] }
    }
}
