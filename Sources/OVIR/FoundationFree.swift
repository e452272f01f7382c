#if canImport(FoundationEssentials)
import FoundationEssentials
#else
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The few things SwiftPOT took from full Foundation, written on the C library and the standard
// library, so that no module of the `swiftpot` process loads libFoundation (~6.6 MiB of RSS in every
// process: see docs/PERFORMANCE.md, "The process floor"). Each gives the same text Foundation gave
// on Linux (checked against Foundation in OVIRTests/FoundationFreeTests).

/// printf-style formatting with C's `vsnprintf` (the "C" locale, as `String(format:)` formats on
/// Linux): `%.3f`, `%g`, `%d`, `%04x`, ... Integers are passed as `CVarArg` of their own width: use
/// `%ld` for `Int`.
package func cFormat(_ format: String, _ args: CVarArg...) -> String {
    var capacity = 128
    while true {
        var buffer = [CChar](repeating: 0, count: capacity)
        let n = withVaList(args) { vsnprintf(&buffer, capacity, format, $0) }
        if n < 0 { return "" }
        if Int(n) < capacity { return String(decoding: buffer[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        capacity = Int(n) + 1
    }
}

/// Writes `text` to the standard error stream, unbuffered (as `FileHandle.standardError.write`).
package func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(2, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

/// A mutual-exclusion lock on a pthread mutex (for `NSLock`'s `lock()` / `unlock()`).
package final class PlainLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    package init() { pthread_mutex_init(mutex, nil) }
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }
}

/// Whether a file or directory exists at `path` (following symbolic links), and whether it is a
/// directory (`FileManager.fileExists(atPath:isDirectory:)`).
package func fileStatus(atPath path: String) -> (exists: Bool, isDirectory: Bool) {
    #if canImport(FoundationEssentials)
    var isDirectory = false
    #else
    var isDirectory: ObjCBool = false
    #endif
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    #if canImport(FoundationEssentials)
    return (exists, isDirectory)
    #else
    return (exists, isDirectory.boolValue)
    #endif
}

/// `base` joined with `component` as `NSString.appendingPathComponent` joins them: no separator is
/// added after an empty base or one ending in "/", nothing is normalised.
package func appendingPathComponent(_ base: String, _ component: String) -> String {
    if base.isEmpty { return component }
    if component.isEmpty { return base }
    return base.hasSuffix("/") ? base + component : base + "/" + component
}

/// The text of a file-reading or -writing error, as `Error.localizedDescription` reads on Linux
/// with full Foundation ("The operation could not be completed. The file doesn’t exist.").
package func fileErrorDescription(_ error: Error) -> String {
    #if canImport(FoundationEssentials)
    let prefix = "The operation could not be completed. "
    if let e = error as? CocoaError {
        // The failure reasons Foundation gives the file codes of NSCocoaErrorDomain (FoundationErrors.h).
        let reasons: [Int: String] = [
            4: "The file doesn’t exist.", 255: "The file couldn’t be locked.",
            257: "You don’t have permission.", 258: "The file name is invalid.",
            259: "The file isn’t in the correct format.", 260: "The file doesn’t exist.",
            261: "The specified text encoding isn’t applicable.", 262: "The specified URL type isn’t supported.",
            263: "The item is too large.", 264: "The text encoding of the contents couldn’t be determined.",
            513: "You don’t have permission.", 514: "The file name is invalid.",
            516: "A file with the same name already exists.", 517: "The specified text encoding isn’t applicable.",
            518: "The specified URL type isn’t supported.", 640: "There isn’t enough space.",
            642: "The volume is read only.",
        ]
        return prefix + (reasons[e.code.rawValue] ?? "(NSCocoaErrorDomain error \(e.code.rawValue).)")
    }
    if let e = error as? POSIXError { return prefix + String(cString: strerror(e.code.rawValue)) }
    return String(describing: error)
    #else
    return error.localizedDescription
    #endif
}

extension Unicode.Scalar {
    /// Foundation's `CharacterSet.whitespaces` (CoreFoundation's list): space, tab, no-break space,
    /// U+1680, U+2000-U+200B, U+202F, U+205F, U+3000.
    var isFoundationWhitespace: Bool {
        switch value {
        case 0x20, 0x09, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
    /// Foundation's `CharacterSet.whitespacesAndNewlines`: those and U+000A-U+000D, U+0085, U+2028, U+2029.
    var isFoundationWhitespaceOrNewline: Bool {
        switch value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return isFoundationWhitespace
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (`trimmingCharacters(in: .whitespaces)`).
    package func trimmingWhitespace() -> String { trimmingScalars(where: \.isFoundationWhitespace) }
    /// Without leading and trailing whitespace and line breaks (`trimmingCharacters(in: .whitespacesAndNewlines)`).
    package func trimmingWhitespaceAndNewlines() -> String { trimmingScalars(where: \.isFoundationWhitespaceOrNewline) }

    private func trimmingScalars(where trim: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last, trim(first) || trim(last) else { return String(self) }
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, trim(scalars[start]) { start = scalars.index(after: start) }
        while end > start, trim(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement`, matched on UTF-8 bytes (a literal,
    /// scalar-exact search, as `replacingOccurrences(of:with:)` for the ASCII targets used here;
    /// unlike the standard library's `replacing`, "\n" also matches inside "\r\n").
    package func replacingLiteral(_ target: String, with replacement: String) -> String {
        let t = Array(target.utf8)
        guard let first = t.first else { return self }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == first, i + t.count <= bytes.count, bytes[i..<(i + t.count)].elementsEqual(t) {
                out.append(contentsOf: replacement.utf8)
                i += t.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
