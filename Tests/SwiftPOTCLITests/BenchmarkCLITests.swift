import Foundation
import Testing
import _TestSupport

/// `swiftpot benchmark`: the JSON report's keys and clean failures (timings are never asserted).
@Suite(.enabled(if: convertCLIBinary != nil, "the swiftpot executable is not built"))
struct BenchmarkCLITests {
    @Test func jsonReportHasTheContractKeys() throws {
        let r = try runSwiftPOT(["benchmark", Fixtures.path("conformance/test_matmul_2d/model.xml"),
                                     "--iterations", "3", "--warmup", "1", "--threads", "2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        for key in ["median_ms", "min_ms", "p90_ms", "iterations", "threads", "blas_core"] {
            #expect(obj?[key] != nil, "missing \(key) in \(r.stdout)")
        }
        #expect(obj?["iterations"] as? Int == 3)
        #expect(obj?["threads"] as? Int == 2)
        // CPU time per inference (process-wide): positive, the minimum not above the median.
        let cpuMin = obj?["cpu_min_ms"] as? Double ?? -1, cpuMedian = obj?["cpu_median_ms"] as? Double ?? -1
        #expect(cpuMin > 0 && cpuMin <= cpuMedian, "cpu_min_ms \(cpuMin), cpu_median_ms \(cpuMedian)")
    }

    /// The memory keys on digits (a small CNN: 15,288 bytes of weights, largest activations
    /// [1, 8, 8, 8] f32 = 2 KiB). Both `conv → Add → ReLU` chains run fused (since the ReLU
    /// spelling fix); peak live at conv2: its input (conv1's fused 2 KiB output), its 1 KiB output
    /// and its im2col tile (72 taps x 16 pixels, 4.5 KiB of kernel scratch in the arena).
    @Test func jsonReportHasMemoryKeys() throws {
        let r = try runSwiftPOT(["benchmark", Fixtures.path("pot/digits/digits.xml"), "--iterations", "2", "--warmup", "0", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let rss = obj?["peak_rss_bytes"] as? Int ?? 0, weights = obj?["weights_bytes"] as? Int ?? 0
        let arena = obj?["activation_arena_bytes"] as? Int ?? -1, live = obj?["activation_peak_live_bytes"] as? Int ?? -1
        let largest = obj?["largest_activation_bytes"] as? [Int] ?? []
        #expect(rss > 4 << 20, "a Swift process is several MiB: \(rss)")
        #expect(weights == 15_288, "every Const of digits.bin is read by a node: \(weights)")
        #expect(live == 2048 + 1024 + 72 * 16 * 4 && arena >= live, "arena \(arena), peak live \(live)")
        #expect(largest == [2048, 2048], "\(largest)")
    }

    @Test func badFlagsAndFilesExitWithOneLine() throws {
        let model = Fixtures.path("conformance/test_add/model.xml")
        for args in [["benchmark", model, "--iterations", "0"], ["benchmark", model, "--threads", "0"],
                     ["benchmark", "/nonexistent/model.xml"]] {
            let r = try runSwiftPOT(args)
            #expect(r.status == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
    }
}
