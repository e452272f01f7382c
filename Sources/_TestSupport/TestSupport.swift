import Foundation
import OVIR

/// Paths of the committed fixtures (not a product: test support only; no stable API).
public enum Fixtures {
    /// The repository's `fixtures/` folder, found from this source file's location.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Sources/_TestSupport/TestSupport.swift → repo
        return url.appendingPathComponent("fixtures")
    }()

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    public static func path(_ relative: String) -> String { url(relative).path }

    /// A fresh temporary directory for one test.
    public static func temporaryDirectory(_ tag: String = "swiftpot-test") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
