import Foundation
import Testing
@testable import OVIR
import _TestSupport

/// OVIR's replacements of full Foundation (Sources/OVIR/FoundationFree.swift) against Foundation
/// itself, which this test process loads: the same text for the same input.
@Suite("Foundation-free helpers give Foundation's text")
struct FoundationFreeTests {
    /// Doubles of every kind: random bit patterns, random magnitudes, halfway cases, specials.
    static func sampleDoubles(_ count: Int) -> [Double] {
        var rng = SplitMix(seed: 7)
        var out: [Double] = [0, -0.0, 1, -1, 0.5, 0.0005, 0.00049999, 0.0015, 0.0025, 2.5, 1e-300, 1e300,
                             .infinity, -.infinity, .nan, 123456.789, 0.1, 1.0 / 3, 999.9995, 1e-5, 5e-324,
                             Double.greatestFiniteMagnitude, 1_048_576, 1023.99]
        for k in 0..<count {
            switch k % 3 {
            case 0: out.append(Double(bitPattern: rng.next()))
            case 1: out.append(Double(Int64(bitPattern: rng.next()) % 1_000_000_000) / 1000)
            default: out.append((Double(rng.next() >> 11) / Double(1 << 53) - 0.5) * pow(10, Double(Int(rng.next() % 41) - 20)))
            }
        }
        return out
    }

    @Test func cFormatMatchesStringFormat() {
        let formats = ["%.3f", "%.1f", "%.2f", "%.6g", "%.8f", "%g", "%.1f KiB", "latency %.3f ms, %.2f/s"]
        var mismatches: [String] = []
        for x in Self.sampleDoubles(3000) {
            for f in formats {
                let ours = f.contains("ms,") ? cFormat(f, x, x * 2) : cFormat(f, x)
                let theirs = f.contains("ms,") ? String(format: f, x, x * 2) : String(format: f, x)
                if ours != theirs { mismatches.append("\(f) \(x): \(ours) vs \(theirs)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        // integers and hex, as the CLI uses them
        for (a, b) in [(0, 1), (17, 4096), (1_000_000_007, 3)] {
            #expect(cFormat("%ld/%ld elements", a, b) == String(format: "%ld/%ld elements", a, b))
        }
        for u: UInt32 in [0, 1, 0x1f, 0xabc] { #expect(cFormat("\\u%04x", u) == String(format: "\\u%04x", u)) }
        // known strings (C rounding of the binary value, round-half-even on exact ties)
        #expect(cFormat("%.3f", 0.0005) == "0.001")
        #expect(cFormat("%.3f", 2.0005) == "2.001")   // 2.000500000000000078...
        #expect(cFormat("%.1f", 0.25) == "0.2")
        #expect(cFormat("%.2f", 1.005) == "1.00")     // 1.00499999999999989...
        #expect(cFormat("%.6g", 1e-5) == "1e-05")
        #expect(cFormat("%g", 0.0001) == "0.0001")
        #expect(cFormat("%.6g", 123456789.0) == "1.23457e+08")
        #expect(cFormat("%.8f", -0.0) == "-0.00000000")
        #expect(cFormat("%.3f", Double.infinity) == "inf")
        #expect(cFormat("%.3f", Double.nan) == "nan")
        #expect(cFormat("%600.3f", 1.5) == String(repeating: " ", count: 595) + "1.500")   // longer than the first buffer
    }

    @Test func trimmingMatchesCharacterSets() {
        let samples = ["", " ", "a", " a ", "\t1, 2 \t", "\n x \n", "\r\n5\r\n", "\u{a0}7\u{3000}", "\u{2028}p\u{2029}",
                       "\u{85}q\u{85}", " \u{301}a", "a\u{301} ", "\u{b}\u{c}z", "é ", " ,", "\u{200b}w\u{200b}", "\u{1680}\u{202f}",
                       "\u{180e}m\u{180e}", "\u{feff}b\u{feff}", "\u{205f}\u{2000}\u{200a}c\u{200c}", "\u{2029}\u{1c}\u{1d}d"]
        for s in samples {
            #expect(s.trimmingWhitespace() == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
            #expect(s.trimmingWhitespaceAndNewlines() == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
            let sub = s.dropFirst(0)
            #expect(sub.trimmingWhitespace() == sub.trimmingCharacters(in: .whitespaces))
        }
    }

    @Test func replacingLiteralMatchesFoundation() {
        for (s, t, r) in [("a,b,,c", ",", "\\,"), ("no commas", ",", "\\,"), ("line 1\nline 2\r\nline 3\n", "\n", " "),
                          ("", "\n", " "), ("é,ü", ",", "\\,"), (",,", ",", "")] {
            #expect(s.replacingLiteral(t, with: r) == s.replacingOccurrences(of: t, with: r), "\(s.debugDescription)")
        }
    }

    @Test func pathJoiningMatchesNSString() {
        for base in ["out", "out/", "out//", "", "/", ".", "./out/", "a/../b", "~/x", "dir with space"] {
            for component in ["x.xml", "/y", "y/", "", "out_0.npy"] {
                #expect(appendingPathComponent(base, component) == (base as NSString).appendingPathComponent(component),
                        "\(base) + \(component)")
            }
        }
    }

    @Test func fileErrorTextMatchesLocalizedDescription() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var errors: [Error] = []
        do { _ = try Data(contentsOf: dir.appendingPathComponent("missing")) } catch { errors.append(error) }
        do { _ = try Data(contentsOf: dir) } catch { errors.append(error) }
        do { try Data([1]).write(to: dir.appendingPathComponent("no/such/dir/f")) } catch { errors.append(error) }
        do { _ = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("missing").path) } catch { errors.append(error) }
        errors.append(POSIXError(.EACCES))
        errors.append(CocoaError(.fileWriteOutOfSpace))
        errors.append(CocoaError(.fileWriteVolumeReadOnly))
        errors.append(CocoaError(.fileReadCorruptFile))
        errors.append(CocoaError(CocoaError.Code(rawValue: 256)))   // no reason: the generic text
        #expect(errors.count == 9)
        for e in errors {
            #expect(fileErrorDescription(e) == e.localizedDescription)
        }
        #expect(fileErrorDescription(errors[0]) == "The operation could not be completed. The file doesn’t exist.")
    }

    @Test func fileStatusAndLock() throws {
        #expect(fileStatus(atPath: "/").exists && fileStatus(atPath: "/").isDirectory)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ff-\(UUID().uuidString)")
        try Data([1]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(fileStatus(atPath: file.path) == (true, false))
        #expect(fileStatus(atPath: file.path + "-missing") == (false, false))

        final class Counter: @unchecked Sendable { var n = 0; let lock = PlainLock() }
        let c = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { c.lock.lock(); c.n += 1; c.lock.unlock() }
        }
        #expect(c.n == 80_000)
    }
}
