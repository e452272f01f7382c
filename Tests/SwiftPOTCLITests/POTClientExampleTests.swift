import Foundation
import Testing
import _TestSupport

/// The `pot-client-example` executable (Examples/POTClient/main.swift: the complete client of the
/// POT API contract, verbatim) built beside this test bundle, or nil when it was not built.
let potClientBinary: URL? = {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
    return candidates.map { $0.appendingPathComponent("pot-client-example") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

@Suite(.enabled(if: potClientBinary != nil, "the pot-client-example executable is not built"))
struct POTClientExampleTests {
    /// Runs the client in a folder holding digits.xml/.bin, x.npy and y.npy (fixtures/pot/digits):
    /// it quantizes with DefaultQuantization, prints the metrics and saves out/digits_int8.xml.
    @Test func completeClientRunsAsWritten() throws {
        let binary = try #require(potClientBinary)
        let dir = try Fixtures.temporaryDirectory("swiftpot-client")
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["digits.xml", "digits.bin", "x.npy", "y.npy"] {
            try FileManager.default.copyItem(at: Fixtures.url("pot/digits/" + name), to: dir.appendingPathComponent(name))
        }
        let p = Process()
        p.executableURL = binary
        p.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "stderr: \(stderr)")
        let lines = stdout.split(separator: "\n").map(String.init)
        // First line: the metrics dictionary, e.g. ["top1": 0.99…]; second: the saved files.
        let metrics = try #require(lines.first)
        #expect(metrics.hasPrefix("[\"top1\": "), "\(stdout)")
        let top1 = Double(metrics.dropFirst("[\"top1\": ".count).dropLast()) ?? 0
        #expect(top1 > 0.9, "INT8 top-1 \(top1)")
        #expect(lines.count == 2 && lines[1].contains("out/digits_int8.xml") && lines[1].contains("out/digits_int8.bin"), "\(stdout)")
        let xml = dir.appendingPathComponent("out/digits_int8.xml")
        #expect(FileManager.default.fileExists(atPath: xml.path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/digits_int8.bin").path))
        let text = try String(contentsOf: xml, encoding: .utf8)
        #expect(text.contains("type=\"FakeQuantize\""))
    }
}
