/// A DEFLATE (RFC 1951) decoder for `.npz` members written by `np.savez_compressed`: stored, fixed-
/// and dynamic-Huffman blocks. Output is capped at the size the archive announces, so a corrupt or
/// hostile member cannot make it allocate more.
struct Inflater {
    private let input: UnsafeRawBufferPointer
    private var position = 0          // next input byte to load into the bit buffer
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    private var output: [UInt8] = []
    private let limit: Int

    /// Decompresses `input`; the result must be exactly `expectedSize` bytes.
    static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
        var inflater = Inflater(input: input, limit: expectedSize)
        inflater.output.reserveCapacity(expectedSize)
        try inflater.run()
        guard inflater.output.count == expectedSize else {
            throw OVIRError("deflate data holds \(inflater.output.count) bytes, the archive says \(expectedSize)")
        }
        return inflater.output
    }

    private init(input: UnsafeRawBufferPointer, limit: Int) {
        self.input = input
        self.limit = limit
    }

    private mutating func run() throws {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try storedBlock()
            case 1: try huffmanBlock(literals: Inflater.fixedLiterals, distances: Inflater.fixedDistances)
            case 2:
                let (lit, dist) = try dynamicTables()
                try huffmanBlock(literals: lit, distances: dist)
            default: throw OVIRError("corrupt deflate data: reserved block type 3")
            }
        }
    }

    // MARK: Bits

    /// Fills the bit buffer to at least `n` bits (zeros past the end; `consume` checks overruns).
    private mutating func refill(_ n: Int) {
        while bitCount < n {
            let byte: UInt64 = position < input.count ? UInt64(input[position]) : 0
            position += 1
            bitBuffer |= byte << UInt64(bitCount)
            bitCount += 8
        }
    }

    private mutating func consume(_ n: Int) throws {
        bitBuffer >>= UInt64(n)
        bitCount -= n
        // Bits past the end of the input were zero padding: reading them means the data is truncated.
        guard position * 8 - bitCount <= input.count * 8 else { throw OVIRError("deflate data is truncated") }
    }

    private mutating func bits(_ n: Int) throws -> Int {
        guard n > 0 else { return 0 }
        refill(n)
        let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        try consume(n)
        return v
    }

    // MARK: Blocks

    private mutating func storedBlock() throws {
        // Drop the bits up to the byte boundary; whole bytes left in the buffer are given back.
        try consume(bitCount % 8)
        position -= bitCount / 8
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw OVIRError("deflate data is truncated") }
        let len = Int(input[position]) | Int(input[position + 1]) << 8
        let nlen = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard len == (~nlen & 0xFFFF) else { throw OVIRError("corrupt deflate data: stored block length check failed") }
        position += 4
        guard position + len <= input.count else { throw OVIRError("deflate data is truncated") }
        guard output.count + len <= limit else { throw OVIRError("deflate data is longer than the archive says (\(limit) bytes)") }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[position..<(position + len)]))
        position += len
    }

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                            67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                              1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private mutating func huffmanBlock(literals: HuffmanTable, distances: HuffmanTable) throws {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                guard output.count < limit else { throw OVIRError("deflate data is longer than the archive says (\(limit) bytes)") }
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let li = symbol - 257
                guard li < Inflater.lengthBase.count else { throw OVIRError("corrupt deflate data: bad length code \(symbol)") }
                let length = Inflater.lengthBase[li] + (try bits(Inflater.lengthExtra[li]))
                let di = try decode(distances)
                guard di < Inflater.distanceBase.count else { throw OVIRError("corrupt deflate data: bad distance code \(di)") }
                let distance = Inflater.distanceBase[di] + (try bits(Inflater.distanceExtra[di]))
                guard distance <= output.count else { throw OVIRError("corrupt deflate data: distance \(distance) before the start") }
                guard output.count + length <= limit else { throw OVIRError("deflate data is longer than the archive says (\(limit) bytes)") }
                // Byte by byte: a copy may overlap the bytes it produces (distance < length).
                var from = output.count - distance
                for _ in 0..<length {
                    output.append(output[from])
                    from += 1
                }
            }
        }
    }

    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private mutating func dynamicTables() throws -> (HuffmanTable, HuffmanTable) {
        let literalCount = try bits(5) + 257, distanceCount = try bits(5) + 1, codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw OVIRError("corrupt deflate data: too many codes") }
        var codeLengthLengths = [Int](repeating: 0, count: 19)
        for k in 0..<codeLengthCount { codeLengthLengths[Inflater.codeLengthOrder[k]] = try bits(3) }
        let codeLengths = try HuffmanTable(lengths: codeLengthLengths)
        var lengths: [Int] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(codeLengths)
            switch symbol {
            case 0...15: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw OVIRError("corrupt deflate data: repeat with no previous length") }
                lengths.append(contentsOf: repeatElement(previous, count: 3 + (try bits(2))))
            case 17: lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
            default: lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw OVIRError("corrupt deflate data: code lengths overrun") }
        guard lengths[256] > 0 else { throw OVIRError("corrupt deflate data: no end-of-block code") }
        return (try HuffmanTable(lengths: Array(lengths[0..<literalCount])),
                try HuffmanTable(lengths: Array(lengths[literalCount...])))
    }

    private mutating func decode(_ table: HuffmanTable) throws -> Int {
        refill(HuffmanTable.maxBits)
        let entry = table.entries[Int(bitBuffer & UInt64(HuffmanTable.size - 1))]
        guard entry.length > 0 else { throw OVIRError("corrupt deflate data: invalid Huffman code") }
        try consume(Int(entry.length))
        return Int(entry.symbol)
    }

    private static let fixedLiterals: HuffmanTable = {
        let lengths = (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 }
        // The fixed code is complete and valid by construction.
        return (try? HuffmanTable(lengths: lengths)) ?? HuffmanTable()
    }()
    private static let fixedDistances: HuffmanTable = (try? HuffmanTable(lengths: Array(repeating: 5, count: 30))) ?? HuffmanTable()
}

/// A canonical Huffman code as a lookup table indexed by the next 15 input bits (LSB first).
struct HuffmanTable {
    static let maxBits = 15
    static let size = 1 << maxBits
    var entries: [(symbol: UInt16, length: UInt8)]

    init() { entries = Array(repeating: (0, 0), count: HuffmanTable.size) }

    /// Builds the code from code lengths (0 = unused); an over-subscribed set of lengths is an error.
    init(lengths: [Int]) throws {
        self.init()
        var counts = [Int](repeating: 0, count: HuffmanTable.maxBits + 1)
        for l in lengths where l > 0 { counts[l] += 1 }
        var left = 1
        for l in 1...HuffmanTable.maxBits {
            left = left * 2 - counts[l]
            guard left >= 0 else { throw OVIRError("corrupt deflate data: over-subscribed Huffman code") }
        }
        // First code of each length, in canonical order.
        var next = [Int](repeating: 0, count: HuffmanTable.maxBits + 2)
        var code = 0
        for l in 1...HuffmanTable.maxBits {
            code = (code + counts[l - 1]) << 1
            next[l] = code
        }
        for (symbol, l) in lengths.enumerated() where l > 0 {
            let c = next[l]
            next[l] += 1
            // Codes are sent most significant bit first; the table is indexed by bits as they arrive.
            var reversed = 0
            for b in 0..<l where c & (1 << b) != 0 { reversed |= 1 << (l - 1 - b) }
            for k in stride(from: reversed, to: HuffmanTable.size, by: 1 << l) {
                entries[k] = (UInt16(symbol), UInt8(l))
            }
        }
    }
}
