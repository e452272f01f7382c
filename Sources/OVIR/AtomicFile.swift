import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
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
            throw OVIRError(file: url.path, "cannot write the file: \(error.localizedDescription)")
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
