import Foundation
import Testing
import _TestSupport

/// Runs `swiftpot ARGS`; returns the exit status, stdout and stderr.
private func runBenchmarkCLI(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
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

/// `swiftpot benchmark`: the JSON report's keys and clean failures (timings are never asserted).
@Suite(.enabled(if: convertCLIBinary != nil, "the swiftpot executable is not built"))
struct BenchmarkCLITests {
    @Test func jsonReportHasTheContractKeys() throws {
        let r = try runBenchmarkCLI(["benchmark", Fixtures.path("conformance/test_matmul_2d/model.xml"),
                                     "--iterations", "3", "--warmup", "1", "--threads", "2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        for key in ["median_ms", "min_ms", "p90_ms", "iterations", "threads", "blas_core"] {
            #expect(obj?[key] != nil, "missing \(key) in \(r.stdout)")
        }
        #expect(obj?["iterations"] as? Int == 3)
        #expect(obj?["threads"] as? Int == 2)
    }

    @Test func badFlagsAndFilesExitWithOneLine() throws {
        let model = Fixtures.path("conformance/test_add/model.xml")
        for args in [["benchmark", model, "--iterations", "0"], ["benchmark", model, "--threads", "0"],
                     ["benchmark", "/nonexistent/model.xml"]] {
            let r = try runBenchmarkCLI(args)
            #expect(r.status == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
    }
}
