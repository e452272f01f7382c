import Foundation
import Testing
import _TestSupport

/// A little-endian f32 `.npy` (format 1.0) of a 1-D array.
private func writeF32Npy(_ values: [Float], to url: URL) throws {
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(values.count),), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
    data.append(contentsOf: Array(header.utf8))
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    try data.write(to: url)
}

/// `swiftpot compare`: figures, exit status and JSON, including arrays JSON numbers cannot describe.
@Suite(.enabled(if: convertCLIBinary != nil, "the swiftpot executable is not built"))
struct CompareCLITests {
    @Test func figuresAndExitStatus() throws {
        let dir = try Fixtures.temporaryDirectory("compare")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.npy"), b = dir.appendingPathComponent("b.npy")
        try writeF32Npy([1, 2, 3, 4], to: a)
        try writeF32Npy([1, 2, 3, 4.5], to: b)
        // |4 - 4.5| = 0.5 > 1e-5 + 1e-3 * 4.5: one element outside; cosine 32 / (sqrt(30) sqrt(34.25))
        let r = try runSwiftPOT(["compare", a.path, b.path, "--json"])
        #expect(r.status == 1, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(obj?["max_abs_error"] as? Double == 0.5)
        #expect(abs((obj?["max_rel_error"] as? Double ?? 0) - 0.5 / 4.5) < 1e-15)
        #expect(abs((obj?["cosine"] as? Double ?? 0) - 32 / (30.0.squareRoot() * 34.25.squareRoot())) < 1e-15)
        #expect(obj?["outside"] as? Int == 1 && obj?["pass"] as? Bool == false)
        let same = try runSwiftPOT(["compare", a.path, a.path])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.hasPrefix("max abs error 0, max rel error 0, cosine 1.00000000, 0/4 elements outside"), "\(same.stdout)")
    }

    /// A NaN against a number makes the max error infinite: the JSON report still comes, with null.
    @Test func nonFiniteFiguresAreNullInJSON() throws {
        let dir = try Fixtures.temporaryDirectory("compare-nan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.npy"), b = dir.appendingPathComponent("b.npy")
        try writeF32Npy([1, .nan, 3], to: a)
        try writeF32Npy([1, 2, 3], to: b)
        let r = try runSwiftPOT(["compare", a.path, b.path, "--json"])
        #expect(r.status == 1 && r.stderr.isEmpty, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(obj?["max_abs_error"] is NSNull, "\(r.stdout)")
        #expect(obj?["outside"] as? Int == 1 && obj?["elements"] as? Int == 3)
    }
}
