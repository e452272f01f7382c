#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// numpy's .npy format: a magic string, a format version, a little-endian header length, a header that
// is a Python dict literal ({'descr': ..., 'fortran_order': ..., 'shape': ...}), then the raw elements.
// Versions: 1.0 (u16 header length, latin-1), 2.0 (u32 length, latin-1), 3.0 (u32 length, UTF-8).

public extension Tensor {
    /// Reads a numpy `.npy` file (any dtype SwiftPOT has an element type for, C order, little endian).
    ///
    /// The file is memory-mapped and, when its data is aligned for the element type (numpy aligns it
    /// to 64 bytes), the tensor borrows the mapping read-only instead of copying it — a large
    /// calibration array costs its size once, not twice. Like a mapped weights file, the file must
    /// not be truncated while the tensor lives.
    init(npyFile url: URL) throws {
        let file = try WeightsFile(path: url.path, kind: ".npy file")
        guard file.byteCount > 0, let base = file.bytes(offset: 0, count: file.byteCount) else {
            throw OVIRError(file: url.path, "not a .npy file: the file is empty")
        }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: file.byteCount, deallocator: .none)
        do {
            let header = try NpyHeader.parse(data)
            let width = header.elementType.byteWidth
            let expected = header.elementType.byteCount(for: header.shape.reduce(1, *))
            if header.elementType.bitWidth >= 8, expected > 0, file.byteCount - header.dataOffset == expected,
               let bytes = file.bytes(offset: header.dataOffset, count: expected), Int(bitPattern: bytes) % width == 0 {
                self.init(elementType: header.elementType, shape: header.shape,
                          buffer: TensorBuffer(borrowing: bytes, byteCount: expected, owner: file))
                return
            }
        } catch let e as OVIRError {
            throw e.inFile(url.path)
        }
        // Misaligned, empty or malformed: copy (and report size errors) as for in-memory bytes.
        try self.init(npyData: data, name: url.path)
    }

    /// Decodes the bytes of a `.npy` file; `name` names the source in errors (a path or an archive entry).
    init(npyData data: Data, name: String) throws {
        do {
            let header = try NpyHeader.parse(data)
            var tensor = Tensor(uninitialized: header.elementType, shape: header.shape)
            let expected = tensor.byteCount
            let available = data.count - header.dataOffset
            guard available == expected else {
                let what = available < expected ? "truncated" : "longer than its header says"
                throw OVIRError("data is \(what): shape \(header.shape) of \(header.descr) needs \(expected) bytes, the file holds \(available)")
            }
            tensor.withUnsafeMutableBytes { dst in
                data.withUnsafeBytes { src in
                    guard expected > 0, let base = src.baseAddress, let out = dst.baseAddress else { return }
                    out.copyMemory(from: base + header.dataOffset, byteCount: expected)
                }
            }
            self = tensor
        } catch let e as OVIRError {
            throw e.inFile(name)
        }
    }

    /// Writes this tensor as a `.npy` file (format 1.0 when the header fits), atomically. The
    /// elements go to the file straight from the tensor's memory (no copy of the data is made).
    func writeNpy(to url: URL) throws {
        let header: [UInt8]
        do { header = try npyHeader() } catch let e as OVIRError { throw e.inFile(url.path) }
        try header.withUnsafeBytes { h in
            try withUnsafeBytes { d in try AtomicFile.write(parts: [h, d], to: url) }
        }
    }

    /// The bytes of a `.npy` file holding this tensor; throws for element types numpy has no dtype for.
    func npyData() throws -> Data {
        var out = Data(try npyHeader())
        withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }

    /// The magic string, version, header length and header of a `.npy` file holding this tensor,
    /// padded so that the data starts on a 64-byte boundary.
    func npyHeader() throws -> [UInt8] {
        guard let descr = elementType.npyDescr else {
            throw OVIRError("element type \(elementType.rawValue) has no numpy dtype; convert the tensor before writing .npy")
        }
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        let dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces and a final newline so the data starts on a 64-byte boundary.
        var version: UInt8 = 1
        var prefix = 10
        var total = prefix + dict.utf8.count + 1
        if ((total + 63) / 64) * 64 - prefix > Int(UInt16.max) {
            version = 2
            prefix = 12
            total = prefix + dict.utf8.count + 1
        }
        let padded = ((total + 63) / 64) * 64
        let headerText = dict + String(repeating: " ", count: padded - total) + "\n"
        let headerBytes = Array(headerText.utf8)
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        out.reserveCapacity(padded)
        if version == 1 {
            let n = UInt16(headerBytes.count)
            out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        } else {
            let n = UInt32(headerBytes.count)
            out.append(contentsOf: (0..<4).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) })
        }
        out.append(contentsOf: headerBytes)
        return out
    }
}

/// A parsed `.npy` header.
struct NpyHeader {
    var descr: String
    var elementType: ElementType
    var shape: [Int]
    /// Where the element data starts in the file.
    var dataOffset: Int

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    static func parse(_ data: Data) throws -> NpyHeader {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw OVIRError("not a .npy file: bad magic (expected \\x93NUMPY)")
        }
        let major = bytes[6], minor = bytes[7]
        let lengthOffset = 8, headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[lengthOffset]) | Int(bytes[lengthOffset + 1]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw OVIRError("truncated .npy header") }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[lengthOffset + $1]) << (8 * $1) }
        default:
            throw OVIRError("unsupported .npy format version \(major).\(minor); expected 1.0, 2.0 or 3.0")
        }
        guard minor == 0 else {
            throw OVIRError("unsupported .npy format version \(major).\(minor); expected 1.0, 2.0 or 3.0")
        }
        guard data.count - headerStart >= headerLength else {
            throw OVIRError("truncated .npy header: \(headerLength) bytes announced, \(data.count - headerStart) present")
        }
        let start = data.startIndex + headerStart
        let raw = data[start..<(start + headerLength)]
        let text: String
        if major == 3 {
            guard let s = String(data: raw, encoding: .utf8) else { throw OVIRError(".npy header is not valid UTF-8") }
            text = s
        } else {
            text = String(decoding: raw.map { $0 }, as: Unicode.ASCII.self) // latin-1 headers are ASCII in practice
            guard raw.allSatisfy({ $0 < 0x80 }) else { throw OVIRError(".npy header has non-ASCII bytes") }
        }
        var parser = NpyDictParser(text)
        let dict = try parser.parseHeaderDict()
        guard !dict.fortranOrder else {
            throw OVIRError("fortran_order True is not supported; save the array in C order (np.ascontiguousarray)")
        }
        let type = try elementType(descr: dict.descr)
        var count = 1
        for d in dict.shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw OVIRError("shape \(dict.shape) is too large") }
            count = p
        }
        let (bytesNeeded, o) = count.multipliedReportingOverflow(by: type.byteWidth)
        guard !o, bytesNeeded <= data.count else {
            throw OVIRError("data is truncated: shape \(dict.shape) of \(dict.descr) needs more bytes than the file holds (\(data.count))")
        }
        return NpyHeader(descr: dict.descr, elementType: type, shape: dict.shape, dataOffset: headerStart + headerLength)
    }

    /// Maps a numpy dtype string to an element type; little-endian (`<`), native (`=`) or `|` only.
    static func elementType(descr: String) throws -> ElementType {
        guard let order = descr.first, descr.count >= 2 else { throw OVIRError("unsupported dtype '\(descr)'") }
        let code = String(descr.dropFirst())
        let types: [String: ElementType] = [
            "f8": .f64, "f4": .f32, "f2": .f16, "i8": .i64, "i4": .i32, "i2": .i16, "i1": .i8,
            "u8": .u64, "u4": .u32, "u2": .u16, "u1": .u8, "b1": .boolean,
        ]
        switch code.first {
        case "O": throw OVIRError("object arrays (dtype '\(descr)') are not supported")
        case "U": throw OVIRError("unicode string arrays (dtype '\(descr)') are not supported")
        case "S", "a": throw OVIRError("byte string arrays (dtype '\(descr)') are not supported")
        case "V": throw OVIRError("structured/void dtypes ('\(descr)') are not supported")
        default: break
        }
        guard let type = types[code] else {
            throw OVIRError("unsupported dtype '\(descr)'; expected one of f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1")
        }
        switch order {
        case "<", "|", "=": return type
        case ">" where type.byteWidth == 1: return type
        case ">": throw OVIRError("big-endian dtype '\(descr)' is not supported; save with a little-endian dtype ('<\(code)')")
        default: throw OVIRError("unsupported dtype '\(descr)'")
        }
    }
}

/// A strict parser for the `.npy` header: a Python dict literal with string keys and values that are
/// strings, booleans or tuples of non-negative integers.
struct NpyDictParser {
    private let chars: [Character]
    private var i = 0

    init(_ text: String) { chars = Array(text) }

    enum Value { case string(String), bool(Bool), tuple([Int]) }

    struct HeaderDict { var descr: String; var fortranOrder: Bool; var shape: [Int] }

    mutating func parseHeaderDict() throws -> HeaderDict {
        let dict = try parseDict()
        let keys = Set(dict.keys)
        guard keys == ["descr", "fortran_order", "shape"] else {
            throw OVIRError(".npy header keys are \(dict.keys.sorted()); expected exactly 'descr', 'fortran_order', 'shape'")
        }
        guard case .string(let descr)? = dict["descr"] else { throw OVIRError(".npy header: 'descr' must be a string") }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw OVIRError(".npy header: 'fortran_order' must be True or False")
        }
        guard case .tuple(let shape)? = dict["shape"] else { throw OVIRError(".npy header: 'shape' must be a tuple of integers") }
        return HeaderDict(descr: descr, fortranOrder: fortran, shape: shape)
    }

    private func fail(_ what: String) -> OVIRError {
        OVIRError(".npy header is not a valid dict literal: \(what) at character \(i)")
    }

    private mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    private mutating func expect(_ c: Character) throws {
        skipSpace()
        guard i < chars.count, chars[i] == c else { throw fail("expected '\(c)'") }
        i += 1
    }

    private mutating func peek() -> Character? { skipSpace(); return i < chars.count ? chars[i] : nil }

    mutating func parseDict() throws -> [String: Value] {
        try expect("{")
        var out: [String: Value] = [:]
        while peek() != "}" {
            let key = try parseString()
            try expect(":")
            let value = try parseValue()
            guard out[key] == nil else { throw fail("duplicate key '\(key)'") }
            out[key] = value
            if peek() == "," { i += 1 } else { break }
        }
        try expect("}")
        skipSpace()
        guard i == chars.count else { throw fail("unexpected text after the dict") }
        return out
    }

    private mutating func parseValue() throws -> Value {
        switch peek() {
        case "'", "\"": return .string(try parseString())
        case "(": return .tuple(try parseTuple())
        case "[": throw OVIRError("structured dtypes (a list 'descr') are not supported")
        case "{": throw OVIRError("dict-valued header entries (structured dtypes) are not supported")
        default:
            let word = parseWord()
            if word == "True" { return .bool(true) }
            if word == "False" { return .bool(false) }
            throw fail("unexpected value '\(word)'")
        }
    }

    private mutating func parseWord() -> String {
        let start = i
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
        return String(chars[start..<i])
    }

    private mutating func parseString() throws -> String {
        guard let q = peek(), q == "'" || q == "\"" else { throw fail("expected a quoted string") }
        i += 1
        var s = ""
        while i < chars.count, chars[i] != q {
            guard chars[i] != "\\" else { throw fail("escapes in strings are not supported") }
            s.append(chars[i])
            i += 1
        }
        guard i < chars.count else { throw fail("unterminated string") }
        i += 1
        return s
    }

    private mutating func parseTuple() throws -> [Int] {
        try expect("(")
        var out: [Int] = []
        var trailingComma = false
        while peek() != ")" {
            trailingComma = false
            let word = parseWord()
            guard !word.isEmpty, word.allSatisfy(\.isASCII), let v = Int(word), v >= 0 else {
                throw fail(word.isEmpty ? "expected a dimension" : "bad dimension '\(word)'")
            }
            out.append(v)
            if peek() == "," { i += 1; trailingComma = true } else { break }
        }
        try expect(")")
        // `(3)` is an integer in Python, not a tuple.
        guard out.count != 1 || trailingComma else { throw fail("a one-element shape needs a trailing comma") }
        return out
    }
}
