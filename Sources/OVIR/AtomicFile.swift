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

#if canImport(Glibc)
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
private let posixWrite = Darwin.write
#endif

/// Atomic file output: write a temporary file beside the target, then rename it into place, so a
/// failure never leaves a partial file under the target's name.
package enum AtomicFile {
    /// A temporary path in the same directory as `url` (`NAME.tmp-XXXXXXXX`, as `OUT.xml.tmp-1A2B3C4D`).
    package static func temporaryURL(for url: URL) -> URL {
        let tag = UUID().uuidString.prefix(8)
        return url.deletingLastPathComponent().appendingPathComponent("\(url.lastPathComponent).tmp-\(tag)")
    }

    /// Writes `data` to `url` atomically; errors name the file.
    package static func write(_ data: Data, to url: URL) throws {
        let tmp = temporaryURL(for: url)
        do {
            try data.write(to: tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw OVIRError(file: url.path, "cannot write the file: \(fileErrorDescription(error))")
        }
        try commit([(tmp, url)])
    }

    /// Writes the concatenation of `parts` to `url` atomically, straight from their memory (no
    /// joined copy is made: a large tensor is not held twice while it is written); errors name the file.
    package static func write(parts: [UnsafeRawBufferPointer], to url: URL) throws {
        let tmp = temporaryURL(for: url)
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw OVIRError(file: url.path, "cannot write the file: \(String(cString: strerror(errno)))")
        }
        var failure: String? = nil
        write: for part in parts {
            guard let base = part.baseAddress else { continue }
            var done = 0
            while done < part.count {
                let n = posixWrite(fd, base + done, part.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    break write
                }
                done += n
            }
        }
        if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(tmp.path)
            throw OVIRError(file: url.path, "cannot write the file: \(failure)")
        }
        try commit([(tmp, url)])
    }

    /// Renames each temporary into place; on failure removes every temporary not yet renamed.
    package static func commit(_ moves: [(temporary: URL, target: URL)]) throws {
        for (k, move) in moves.enumerated() {
            if rename(move.temporary.path, move.target.path) != 0 {
                let reason = String(cString: strerror(errno))
                for rest in moves[k...] { try? FileManager.default.removeItem(at: rest.temporary) }
                throw OVIRError(file: move.target.path, "cannot move the written file into place: \(reason)")
            }
        }
    }
}
