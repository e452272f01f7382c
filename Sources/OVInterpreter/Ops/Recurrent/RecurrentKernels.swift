/// RNNCell-0, GRUCell-3, LSTMCell-4 (LSTMCell-0 with optional peepholes `P`): one time step over a
/// batch. Inputs `X [batch, input]`, `H [batch, hidden]`, (`C`), `W`, `R`, optional `B` (and `P`).
final class RecurrentCellKernel: Kernel {
    let config: RecurrentConfig
    let peepholes: Bool
    private var isLSTM: Bool { config.kind == .lstm }
    private var weightIndex: Int { isLSTM ? 3 : 2 }

    init(node: Node, kind: CellKind, peepholes: Bool = false) throws {
        config = try RecurrentConfig(node: node, kind: kind, sequence: false)
        self.peepholes = peepholes
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        let minInputs = weightIndex + 2
        guard inputs.count >= minInputs else {
            throw OVIRError("\(config.kind) cell expects at least \(minInputs) inputs, found \(inputs.count)")
        }
        try RecurrentOps.requireF32(inputs, op: "\(config.kind) cell")
        let x = inputs[0].shape, hs = config.hiddenSize
        try RecurrentOps.checkShape(x, rank: 2, [], "X")
        let batch = RecurrentOps.dim(x, 0), inputSize = RecurrentOps.dim(x, 1).staticValue
        try RecurrentOps.checkShape(inputs[1].shape, rank: 2, [batch.staticValue, hs], "H")
        if isLSTM { try RecurrentOps.checkShape(inputs[2].shape, rank: 2, [batch.staticValue, hs], "C") }
        try RecurrentOps.checkShape(inputs[weightIndex].shape, rank: 2, [config.gateRows, inputSize], "W")
        try RecurrentOps.checkShape(inputs[weightIndex + 1].shape, rank: 2, [config.gateRows, hs], "R")
        if inputs.count > weightIndex + 2 {
            try RecurrentOps.checkShape(inputs[weightIndex + 2].shape, rank: 1, [config.biasRows], "B")
        }
        let out = ValueInfo(.f32, PartialShape([batch, .fixed(hs)]))
        return isLSTM ? [out, out] : [out]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0], batch = x.shape[0], inputSize = x.shape[1], hs = config.hiddenSize
        let math = RecurrentCellMath(config: config, inputSize: inputSize)
        let scratch = ctx.scratch(byteCount: math.scratchCount * 4).assumingMemoryBound(to: Float.self)
        let w = inputs[weightIndex].pointer(Float.self), r = inputs[weightIndex + 1].pointer(Float.self)
        let b = inputs.count > weightIndex + 2 ? UnsafePointer(inputs[weightIndex + 2].pointer(Float.self)) : nil
        let p = peepholes && inputs.count > weightIndex + 3 ? UnsafePointer(inputs[weightIndex + 3].pointer(Float.self)) : nil
        let h = inputs[1].pointer(Float.self), c = isLSTM ? inputs[2].pointer(Float.self) : nil
        let hOut = outputs[0].pointer(Float.self), cOut = isLSTM ? outputs[1].pointer(Float.self) : nil
        for n in 0..<batch {
            math.step(x: x.pointer(Float.self) + n * inputSize, h: h + n * hs, c: c.map { UnsafePointer($0 + n * hs) },
                      w: w, r: r, b: b, p: p, hOut: hOut + n * hs, cOut: cOut.map { $0 + n * hs }, scratch: scratch)
        }
    }
}

/// RNNSequence-5, GRUSequence-5, LSTMSequence-5: a cell run over `X [batch, seq, input]` in the
/// given direction(s), each batch item for its own `sequence_lengths[b]` steps. Outputs
/// `Y [batch, dirs, seq, hidden]` (zero past a sequence's length), `Ho` and (LSTM) `Co`
/// `[batch, dirs, hidden]`. A reverse direction reads the first `len` steps backwards and writes
/// each output at the step it read.
final class RecurrentSequenceKernel: Kernel {
    let config: RecurrentConfig
    private var isLSTM: Bool { config.kind == .lstm }
    private var lengthIndex: Int { isLSTM ? 3 : 2 }

    init(node: Node, kind: CellKind) throws {
        config = try RecurrentConfig(node: node, kind: kind, sequence: true)
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        let expected = lengthIndex + 4
        guard inputs.count == expected else {
            throw OVIRError("\(config.kind) sequence expects \(expected) inputs, found \(inputs.count)")
        }
        try RecurrentOps.requireF32(inputs, skipping: [lengthIndex], op: "\(config.kind) sequence")
        guard inputs[lengthIndex].elementType.isInteger else {
            throw OVIRError("sequence_lengths: expected an integer type, found \(inputs[lengthIndex].elementType.rawValue)")
        }
        let x = inputs[0].shape, hs = config.hiddenSize, nd = config.directions
        try RecurrentOps.checkShape(x, rank: 3, [], "X")
        let batch = RecurrentOps.dim(x, 0), seq = RecurrentOps.dim(x, 1), inputSize = RecurrentOps.dim(x, 2).staticValue
        try RecurrentOps.checkShape(inputs[1].shape, rank: 3, [batch.staticValue, nd, hs], "initial_hidden_state")
        if isLSTM { try RecurrentOps.checkShape(inputs[2].shape, rank: 3, [batch.staticValue, nd, hs], "initial_cell_state") }
        try RecurrentOps.checkShape(inputs[lengthIndex].shape, rank: 1, [batch.staticValue], "sequence_lengths")
        try RecurrentOps.checkShape(inputs[lengthIndex + 1].shape, rank: 3, [nd, config.gateRows, inputSize], "W")
        try RecurrentOps.checkShape(inputs[lengthIndex + 2].shape, rank: 3, [nd, config.gateRows, hs], "R")
        try RecurrentOps.checkShape(inputs[lengthIndex + 3].shape, rank: 2, [nd, config.biasRows], "B")
        let y = ValueInfo(.f32, PartialShape([batch, .fixed(nd), seq, .fixed(hs)]))
        let state = ValueInfo(.f32, PartialShape([batch, .fixed(nd), .fixed(hs)]))
        return isLSTM ? [y, state, state] : [y, state]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0], batch = x.shape[0], seq = x.shape[1], inputSize = x.shape[2]
        let hs = config.hiddenSize, nd = config.directions, rows = config.gateRows
        let math = RecurrentCellMath(config: config, inputSize: inputSize)
        // Scratch: the cell's own, then the running h and c, then the next h and c.
        let scratch = ctx.scratch(byteCount: (math.scratchCount + 4 * hs) * 4).assumingMemoryBound(to: Float.self)
        let h = scratch + math.scratchCount, c = h + hs, hNext = c + hs, cNext = hNext + hs
        let lengths = inputs[lengthIndex]
        let w = inputs[lengthIndex + 1].pointer(Float.self), r = inputs[lengthIndex + 2].pointer(Float.self)
        let b = inputs[lengthIndex + 3].pointer(Float.self)
        let xp = x.pointer(Float.self), h0 = inputs[1].pointer(Float.self)
        let c0 = isLSTM ? inputs[2].pointer(Float.self) : nil
        let y = outputs[0].pointer(Float.self), ho = outputs[1].pointer(Float.self)
        let co = isLSTM ? outputs[2].pointer(Float.self) : nil
        for d in 0..<nd {
            let reverse = nd == 2 ? d == 1 : config.reverse
            let wd = w + d * rows * inputSize, rd = r + d * rows * hs, bd = b + d * config.biasRows
            for n in 0..<batch {
                let len = Swift.min(Swift.max(Int(lengths.int64Value(at: n)), 0), seq)
                let state = (n * nd + d) * hs
                h.update(from: h0 + state, count: hs)
                if let c0 { c.update(from: c0 + state, count: hs) }
                for s in 0..<len {
                    let t = reverse ? len - 1 - s : s
                    math.step(x: xp + (n * seq + t) * inputSize, h: h, c: isLSTM ? UnsafePointer(c) : nil,
                              w: wd, r: rd, b: bd, p: nil, hOut: hNext, cOut: isLSTM ? cNext : nil, scratch: scratch)
                    h.update(from: hNext, count: hs)
                    if isLSTM { c.update(from: cNext, count: hs) }
                    (y + ((n * nd + d) * seq + t) * hs).update(from: h, count: hs)
                }
                if len < seq {
                    (y + ((n * nd + d) * seq + len) * hs).initialize(repeating: 0, count: (seq - len) * hs)
                }
                (ho + state).update(from: h, count: hs)
                if let co { (co + state).update(from: c, count: hs) }
            }
        }
    }
}
