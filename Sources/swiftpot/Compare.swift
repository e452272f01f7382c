import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OVIR
import POTCore

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two .npy files: max absolute and relative error, cosine similarity.",
        discussion: "Exit status 1 when any element is outside |a-b| <= atol + rtol*|b| (numpy's allclose, NaN equal to NaN), or when shapes differ.")

    @Argument(help: "The tensor to check.") var a: String
    @Argument(help: "The reference tensor.") var b: String
    @Option(help: "Relative tolerance.") var rtol: Double = 1e-4
    @Option(help: "Absolute tolerance.") var atol: Double = 1e-5
    @Flag(help: "Print a JSON report.") var json = false

    func run() throws {
        var outside = false
        try runReportingErrors {
            let x = try Tensor(npyFile: URL(fileURLWithPath: a)), y = try Tensor(npyFile: URL(fileURLWithPath: b))
            guard x.shape == y.shape else {
                throw OVIRError("\(a): shape \(x.shape) differs from \(b): shape \(y.shape)")
            }
            let u = x.doubleValues(), v = y.doubleValues()
            var maxAbs = 0.0, maxRel = 0.0, dot = 0.0, nu = 0.0, nv = 0.0, bad = 0
            for (p, q) in zip(u, v) {
                if p.isNaN && q.isNaN { continue }
                let d = abs(p - q)
                if p.isInfinite || q.isInfinite { if p != q { bad += 1 }; continue }
                if d.isNaN || d > atol + rtol * abs(q) { bad += 1 }
                maxAbs = max(maxAbs, d.isNaN ? .infinity : d)
                if q != 0 { maxRel = max(maxRel, d / abs(q)) }
                dot += p * q; nu += p * p; nv += q * q
            }
            let cosine = (nu == 0 && nv == 0) ? 1.0 : dot / (nu.squareRoot() * nv.squareRoot() + 1e-300)
            outside = bad > 0
            if json {
                // an infinite or NaN figure (a NaN against a number, say) is null: JSON has no such numbers
                func number(_ x: Double) -> Any { x.isFinite ? x : JSONNull() }
                let r: [String: Any] = ["max_abs_error": number(maxAbs), "max_rel_error": number(maxRel), "cosine": number(cosine),
                                        "elements": u.count, "outside": bad, "rtol": rtol, "atol": atol, "pass": !outside]
                print(try jsonText(r))
            } else {
                print(cFormat("max abs error %.6g, max rel error %.6g, cosine %.8f, %ld/%ld elements outside rtol %g atol %g",
                             maxAbs, maxRel, cosine, bad, u.count, rtol, atol))
            }
        }
        if outside { throw ExitCode(1) }
    }
}
