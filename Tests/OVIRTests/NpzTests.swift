import Foundation
import Testing
import OVIR
import _TestSupport

@Suite struct NpzTests {
    @Test func readsStoredAndCompressedArchivesAsNumpyDoes() throws {
        let index = try NpyFixtureIndex.load()
        for (file, members) in index.npz {
            let arrays = try Npz.read(url: Fixtures.url("npy/" + file))
            #expect(Set(arrays.map(\.name)) == Set(members.keys), "\(file)")
            for (name, tensor) in arrays {
                guard let e = members[name] else { continue }
                expectMatches(tensor, e, "\(file)[\(name)]")
            }
        }
        // Archive order is numpy's keyword order.
        #expect(try Npz.read(url: Fixtures.url("npy/stored.npz")).map(\.name) == ["weights", "ids", "flag", "empty"])
        #expect(try Npz.read(url: Fixtures.url("npy/compressed.npz")).map(\.name) == ["ramp", "one", "noise"])
    }

    @Test func corruptArchivesAreErrorsNamingTheFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try [UInt8](Data(contentsOf: Fixtures.url("npy/compressed.npz")))
        func expectError(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let url = dir.appendingPathComponent("bad.npz")
            try Data(bytes).write(to: url)
            do {
                _ = try Npz.read(url: url)
                Issue.record("accepted a corrupt archive", sourceLocation: sourceLocation)
            } catch let e as OVIRError {
                #expect(e.file == url.path, sourceLocation: sourceLocation)
                #expect(e.description.contains(fragment), "\(e)", sourceLocation: sourceLocation)
            }
        }
        var flipped = original
        flipped[200] ^= 0x55                       // inside the first (deflated) member
        try expectError(flipped, "ramp.npy")
        try expectError(Array(original.prefix(original.count - 30)), "zip")
        try expectError(Array(original.prefix(10)), "zip")
        try expectError(Array(repeating: 0, count: 100), "no end-of-central-directory")
        var stored = try [UInt8](Data(contentsOf: Fixtures.url("npy/stored.npz")))
        stored[220] ^= 0x01                         // a data byte of the first (stored) member
        try expectError(stored, "CRC-32")
    }
}
