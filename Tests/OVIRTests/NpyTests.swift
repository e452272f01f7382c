import Foundation
import Testing
import OVIR
import _TestSupport

/// What `scripts/make_npy_fixtures.py` recorded about each fixture (numpy's view of it).
struct NpyExpectation: Decodable {
    var dtype: String
    var shape: [Int]
    var hex: String

    var bytes: [UInt8] {
        var out: [UInt8] = []
        var it = hex.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        while let hi = it.next(), let lo = it.next() { out.append(nibble(hi) << 4 | nibble(lo)) }
        return out
    }
}

struct NpyFixtureIndex: Decodable {
    var valid: [String: NpyExpectation]
    var invalid: [String: String]
    var npz: [String: [String: NpyExpectation]]

    static func load() throws -> NpyFixtureIndex {
        try JSONDecoder().decode(NpyFixtureIndex.self, from: Data(contentsOf: Fixtures.url("npy/expected.json")))
    }
}

func expectMatches(_ t: Tensor, _ e: NpyExpectation, _ name: String) {
    #expect(t.shape == e.shape, "\(name): shape")
    let descr = t.elementType.npyDescr
    #expect(descr == e.dtype, "\(name): dtype \(String(describing: descr)) vs numpy \(e.dtype)")
    t.withUnsafeBytes { #expect(Array($0) == e.bytes, "\(name): bytes") }
}

@Suite struct NpyTests {
    @Test func readsEveryValidFixtureAsNumpyDoes() throws {
        let index = try NpyFixtureIndex.load()
        #expect(index.valid.count >= 20)
        for (name, e) in index.valid {
            let t = try Tensor(npyFile: Fixtures.url("npy/" + name))
            expectMatches(t, e, name)
        }
    }

    @Test func valuesOfSomeFixtures() throws {
        let f4 = try Tensor(npyFile: Fixtures.url("npy/dtype_f4.npy"))
        let v = try f4.scalars(as: Float.self)
        #expect(f4.shape == [2, 5])
        #expect(v[2] == 1.5 && v[3] == -2.25 && v[4] == .infinity && v[6].isNaN && v[7] == .greatestFiniteMagnitude)
        let i8 = try Tensor(npyFile: Fixtures.url("npy/dtype_i8.npy"))
        #expect(try i8.scalars(as: Int64.self)[0...1] == [Int64.min, Int64.max])
        let u8 = try Tensor(npyFile: Fixtures.url("npy/dtype_u8.npy"))
        #expect(try u8.scalars(as: UInt64.self)[1] == UInt64.max)
        let b = try Tensor(npyFile: Fixtures.url("npy/dtype_b1.npy"))
        #expect(try b.scalars(as: Bool.self) == [true, false, true, false, false, true])
        let s = try Tensor(npyFile: Fixtures.url("npy/scalar_f4.npy"))
        #expect(s.shape == [])
        #expect(try s.scalars(as: Float.self) == [3.5])
        let empty = try Tensor(npyFile: Fixtures.url("npy/empty_i64.npy"))
        #expect(empty.shape == [2, 0, 4] && empty.count == 0)
        let v3 = try Tensor(npyFile: Fixtures.url("npy/version3.npy"))
        #expect(try v3.scalars(as: Float.self) == [0, 1, 2, 3, 4, 5])
    }

    @Test func rejectsInvalidFilesNamingTheFile() throws {
        let index = try NpyFixtureIndex.load()
        #expect(index.invalid.count >= 14)
        for (name, fragment) in index.invalid {
            let path = Fixtures.path("npy/" + name)
            do {
                _ = try Tensor(npyFile: URL(fileURLWithPath: path))
                Issue.record("\(name) was accepted")
            } catch let e as OVIRError {
                #expect(e.file == path, "\(name): \(e)")
                #expect(e.description.contains(fragment), "\(name): '\(e)' should mention '\(fragment)'")
            }
        }
    }

    @Test func writesTheSameBytesAsNumpySave() throws {
        // np.save writes format 1.0 with the data on a 64-byte boundary; so does npyData().
        let index = try NpyFixtureIndex.load()
        for name in index.valid.keys where name.hasPrefix("dtype_") || name.hasPrefix("scalar_") || name.hasPrefix("empty_") || name.hasPrefix("rank") {
            let url = Fixtures.url("npy/" + name)
            let t = try Tensor(npyFile: url)
            #expect(try t.npyData() == Data(contentsOf: url), "\(name)")
            // writeNpy streams the header and the tensor's own bytes to the file: the same bytes.
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let out = dir.appendingPathComponent(name)
            try t.writeNpy(to: out)
            #expect(try Data(contentsOf: out) == Data(contentsOf: url), "\(name) written")
        }
    }

    @Test func roundTripsThroughAFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = try NpyFixtureIndex.load()
        // With SWIFTPOT_NPY_ROUNDTRIP_DIR set, `make_npy_fixtures.py --check` reads these back with numpy.
        let outDir = ProcessInfo.processInfo.environment["SWIFTPOT_NPY_ROUNDTRIP_DIR"].map { URL(fileURLWithPath: $0) } ?? dir
        for (name, e) in index.valid {
            let t = try Tensor(npyFile: Fixtures.url("npy/" + name))
            let out = outDir.appendingPathComponent(name)
            try t.writeNpy(to: out)
            let back = try Tensor(npyFile: out)
            #expect(back.isIdentical(to: t), "\(name)")
            expectMatches(back, e, name)
        }
        // Overwriting an existing file replaces it, and leaves no temporary behind.
        let url = dir.appendingPathComponent("x.npy")
        try Tensor(shape: [2], scalars: [Float(1), 2]).writeNpy(to: url)
        try Tensor(shape: [3], scalars: [Int32(1), 2, 3]).writeNpy(to: url)
        #expect(try Tensor(npyFile: url).scalars(as: Int32.self) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("tmp") }.isEmpty)
    }

    @Test func aFileIsMappedNotCopied() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.npy")
        let values = (0..<10_000).map { Float($0) * 0.5 }
        try Tensor(shape: [100, 100], scalars: values).writeNpy(to: url)
        var t = try Tensor(npyFile: url)
        #expect(t.buffer.isReadOnly, "an aligned .npy borrows the mapped file")
        #expect(try t.scalars(as: Float.self) == values && t.shape == [100, 100])
        // A write goes to a private copy: the file keeps its bytes.
        try t.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = -1 }
        let first = try t.scalars(as: Float.self)[0]
        #expect(!t.buffer.isReadOnly && first == -1)
        #expect(try Tensor(npyFile: url).scalars(as: Float.self) == values)
        // Missing and empty files name the file.
        let empty = dir.appendingPathComponent("empty.npy")
        #expect(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        for bad in [empty, dir.appendingPathComponent("missing.npy")] {
            do { _ = try Tensor(npyFile: bad); Issue.record("\(bad.lastPathComponent): no error") } catch let e as OVIRError {
                #expect(e.file == bad.path, "\(e)")
            }
        }
    }

    @Test func writingATypeWithoutANumpyDtypeFailsAndLeavesNothing() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bf.npy")
        let bf = Tensor(zeros: .bf16, shape: [2])
        #expect(throws: OVIRError.self) { try bf.writeNpy(to: url) }
        do { try bf.writeNpy(to: url) } catch let e as OVIRError {
            #expect(e.description.contains("bf16") && e.file == url.path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        // A missing directory is an error naming the target file.
        let missing = dir.appendingPathComponent("no/such/dir/x.npy")
        #expect(throws: OVIRError.self) { try Tensor(shape: [1], scalars: [Float(1)]).writeNpy(to: missing) }
    }

    @Test func strictHeaderParsing() throws {
        func npy(_ header: String, _ payload: [UInt8] = []) -> Data {
            var h = Array(header.utf8) + [0x0A]
            var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count & 0xFF), UInt8(h.count >> 8)])
            d.append(contentsOf: h); h.removeAll()
            d.append(contentsOf: payload)
            return d
        }
        let ok = npy("{'descr':'<i2','fortran_order':False,'shape':(2,),}", [1, 0, 2, 0])
        #expect(try Tensor(npyData: ok, name: "ok").scalars(as: Int16.self) == [1, 2])
        let bad = [
            "{'descr':'<i2','fortran_order':False,'shape':(2),}",          // (2) is not a tuple
            "{'descr':'<i2','fortran_order':False,'shape':(-2,),}",        // negative dim
            "{'descr':'<i2','fortran_order':0,'shape':(2,),}",             // not a bool
            "{'descr':'<i2','fortran_order':False,'shape':(2,),'x':1}",    // extra key
            "{'descr':'<i2','descr':'<i2','fortran_order':False,'shape':(2,)}",  // duplicate key
            "{'descr':'<i2','fortran_order':False,'shape':(2,)} junk",     // trailing text
            "{'descr':'>i2','fortran_order':False,'shape':(2,)}",          // big endian
        ]
        for h in bad {
            #expect(throws: OVIRError.self, "\(h)") { try Tensor(npyData: npy(h, [1, 0, 2, 0]), name: "mem") }
        }
    }
}
