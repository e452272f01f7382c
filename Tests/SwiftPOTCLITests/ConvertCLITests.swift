import Foundation
import Testing
import _TestSupport

/// The `swiftpot` executable built beside this test bundle (nil when it was not built).
let convertCLIBinary: URL? = {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
    return candidates.map { $0.appendingPathComponent("swiftpot") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// Runs `swiftpot ARGS`; returns the exit status, stdout and stderr.
func runSwiftPOT(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    guard let binary = convertCLIBinary else { throw CocoaError(.fileNoSuchFile) }
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Runs `swiftpot ARGS`; returns the exit status and stderr.
func runConvertCLI(_ args: [String]) throws -> (status: Int32, stderr: String) {
    let r = try runSwiftPOT(args)
    return (r.status, r.stderr)
}

@Suite(.enabled(if: convertCLIBinary != nil, "the swiftpot executable is not built"))
struct ConvertCLITests {
    @Test func convertsAnIRAndFailsCleanly() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("loop.xml").path
        let ok = try runConvertCLI(["convert", Fixtures.path("conformance/test_loop11/model.xml"), out])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(FileManager.default.fileExists(atPath: out))
        #expect(try Data(contentsOf: dir.appendingPathComponent("loop.bin"))
                == Data(contentsOf: Fixtures.url("conformance/test_loop11/model.bin")))

        // A missing input: exit 1, one line naming the file, no output left behind.
        let bad = try runConvertCLI(["convert", dir.appendingPathComponent("missing.xml").path, dir.appendingPathComponent("x.xml").path])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("error: ") && bad.stderr.contains("missing.xml"))
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(left == ["loop.bin", "loop.xml"])
    }
}
