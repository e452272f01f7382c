import Foundation
import Testing
import OVIR
import _TestSupport

/// Broken and hostile IR: every case is a thrown OVIRError naming the file, the layer when there is
/// one, and what was expected. Never a crash, a hang or an allocation sized by the file.
@Suite("IR reader: malformed input")
struct MalformedIRTests {
    typealias X = IRTestXML

    /// Asserts that reading `xml` throws an error naming test.xml and containing every fragment.
    private func expectError(_ xml: String, weights: Data? = nil, _ fragments: String...,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let text = X.errorText { _ = try X.read(xml, weights: weights) }
        #expect(text != nil, "expected an error", sourceLocation: sourceLocation)
        guard let text else { return }
        #expect(text.hasPrefix("test.xml: "), "\(text)", sourceLocation: sourceLocation)
        for f in fragments {
            #expect(text.contains(f), "missing \"\(f)\" in: \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func minimalModelReads() throws {
        let g = try X.read(X.minimal)
        #expect(g.nodes.map(\.type) == ["Parameter", "ReLU", "Result"])
        #expect(g.rtInfo.map(\.name) == ["Runtime_version"])
    }

    @Test func emptyFile() { expectError("", "the file is empty", "expected an OpenVINO IR XML document") }

    @Test func truncatedXML() {
        let xml = String(X.minimal.prefix(X.minimal.count / 2))
        expectError(xml, "malformed XML at line")
    }

    @Test func garbageBytes() {
        let text = X.errorText {
            _ = try IRReader.read(xmlData: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }),
                                  weights: nil, fileName: "test.xml")
        }
        #expect(text?.hasPrefix("test.xml: malformed XML at line") == true, "\(text ?? "no error")")
    }

    @Test func wrongRoot() { expectError("<model version=\"11\"/>", "expected the root element <net>, found <model>") }

    @Test func unsupportedVersion() {
        expectError(X.minimal.replacingOccurrences(of: "version=\"11\"", with: "version=\"7\""),
                    "unsupported IR version \"7\"", "expected 10 or 11")
        expectError("<net name=\"a\"><layers/></net>", "expected a version attribute")
    }

    @Test func missingLayers() { expectError("<net name=\"a\" version=\"11\"/>", "expected a <layers> element") }

    @Test func layerIDs() {
        expectError(X.minimal.replacingOccurrences(of: "<layer id=\"1\"", with: "<layer"), "layer 'y'", "expected an id attribute")
        expectError(X.minimal.replacingOccurrences(of: "<layer id=\"1\"", with: "<layer id=\"one\""),
                    "layer 'y'", "id: expected a non-negative integer, found \"one\"")
        expectError(X.minimal.replacingOccurrences(of: "<layer id=\"1\"", with: "<layer id=\"-3\""), "found \"-3\"")
        let dup = X.net([X.param(0, "x"), X.relu(0, "y"), X.result(2, "r")], [X.edge(0, 0, 2, 0)])
        expectError(dup, "layer 'y' (id 0, ReLU)", "duplicate layer id 0", "layer 'x' (id 0, Parameter)")
    }

    @Test func edgesToMissingLayersOrPorts() {
        let base = [X.param(0, "x"), X.relu(1, "y"), X.result(2, "r")]
        expectError(X.net(base, [X.edge(0, 0, 1, 0), X.edge(9, 0, 2, 0)]), "from-layer 9", "expected an existing layer id")
        expectError(X.net(base, [X.edge(0, 0, 1, 0), X.edge(1, 1, 7, 0)]), "to-layer 7", "expected an existing layer id")
        expectError(X.net(base, [X.edge(0, 5, 1, 0), X.edge(1, 1, 2, 0)]),
                    "layer 'x' (id 0, Parameter)", "reads output port 5", "expected one of the output ports [0]")
        expectError(X.net(base, [X.edge(0, 0, 1, 3), X.edge(1, 1, 2, 0)]),
                    "layer 'y' (id 1, ReLU)", "feeds input port 3", "expected one of the input ports [0]")
        expectError(X.net(base, [X.edge(0, 0, 1, 0), "<edge from-layer=\"1\" from-port=\"x\" to-layer=\"2\" to-port=\"0\"/>"]),
                    "from-port expected an integer, found \"x\"")
        expectError(X.net(base, [X.edge(0, 0, 1, 0), "<edge from-layer=\"1\" to-layer=\"2\" to-port=\"0\"/>"]),
                    "expected a from-port attribute")
    }

    @Test func inputFedTwiceOrNever() {
        let layers = [X.param(0, "x"), X.param(1, "z"), X.relu(2, "y"), X.result(3, "r")]
        expectError(X.net(layers, [X.edge(0, 0, 2, 0), X.edge(1, 0, 2, 0), X.edge(2, 1, 3, 0)]),
                    "layer 'y' (id 2, ReLU)", "input port 0 is fed twice", "expected exactly one edge")
        expectError(X.net(layers, [X.edge(2, 1, 3, 0)]),
                    "layer 'y' (id 2, ReLU)", "input port 0 has no incoming edge", "expected exactly one edge")
    }

    @Test func cycle() {
        let xml = X.net([X.param(0, "x"), X.add(1, "a"), X.relu(2, "b"), X.result(3, "r")],
                        [X.edge(0, 0, 1, 0), X.edge(2, 1, 1, 1), X.edge(1, 2, 2, 0), X.edge(2, 1, 3, 0)])
        expectError(xml, "cycle", "expected an acyclic graph")
    }

    @Test("unsupported element types name the layer and the type",
          arguments: ["string", "f8e4m3", "f8e5m2", "nf4", "dynamic", "undefined", "f4e2m1", "banana"])
    func unsupportedConstType(_ type: String) {
        expectError(X.withConst(X.const(1, "c", type: type)), weights: Data(count: 16),
                    "layer 'c' (id 1, Const)", "unsupported element type \"", "expected one of f64, f32")
    }

    @Test func unsupportedPortPrecisionAndParameterType() {
        expectError(X.minimal.replacingOccurrences(of: "<port id=\"1\" precision=\"FP32\"", with: "<port id=\"1\" precision=\"STRING\""),
                    "layer 'y' (id 1, ReLU)", "output port 1 precision: unsupported element type \"STRING\"")
        let stringParam = X.param(0, "x").replacingOccurrences(of: "element_type=\"f32\"", with: "element_type=\"string\"")
        expectError(X.net([stringParam, X.result(1, "r")], [X.edge(0, 0, 1, 0)]),
                    "layer 'x' (id 0, Parameter)", "unsupported element type \"string\"")
        expectError(X.minimal.replacingOccurrences(of: "<port id=\"1\" precision=\"FP32\"", with: "<port id=\"1\""),
                    "output port 1: expected a precision attribute")
    }

    @Test func badDims() {
        expectError(X.net([X.param(0, "x"), X.relu(1, "y", dims: ["1", "four"]), X.result(2, "r")], [X.edge(0, 0, 1, 0), X.edge(1, 1, 2, 0)]),
                    "layer 'y' (id 1, ReLU)", "expected a non-negative integer, -1 or a range lo..hi, found \"four\"")
        expectError(X.net([X.param(0, "x"), X.relu(1, "y", dims: ["1", "-5"]), X.result(2, "r")], [X.edge(0, 0, 1, 0), X.edge(1, 1, 2, 0)]),
                    "found \"-5\"")
        expectError(X.net([X.param(0, "x", shape: "1,abc", dims: ["1", "4"]), X.result(1, "r")], [X.edge(0, 0, 1, 0)]),
                    "layer 'x' (id 0, Parameter)", "shape \"1,abc\"", "found \"abc\"")
        expectError(X.net([X.param(0, "x"), X.relu(1, "y", dims: ["99999999999999999999999"]), X.result(2, "r")],
                          [X.edge(0, 0, 1, 0), X.edge(1, 1, 2, 0)]), "found \"99999999999999999999999\"")
    }

    @Test func absurdConstShapesAreRefusedBeforeAllocating() {
        let huge = "4294967296,4294967296,4294967296"   // overflows Int
        expectError(X.withConst(X.const(1, "c", shape: huge, size: 16)), weights: Data(count: 16),
                    "layer 'c' (id 1, Const)", "expected at most 2^40 elements")
        expectError(X.withConst(X.const(1, "c", shape: "1048576,2097152", size: 16)), weights: Data(count: 16),
                    "expected at most 2^40 elements")
        expectError(X.withConst(X.const(1, "c", shape: "1,-1", size: 16)), weights: Data(count: 16),
                    "expected a static shape for a constant")
    }

    @Test func constRangeAndSizeChecks() {
        let w = Data(count: 16)
        expectError(X.withConst(X.const(1, "c", offset: 8)), weights: w,
                    "layer 'c' (id 1, Const)", "offset 8 + size 16 is beyond the end of in-memory weights (16 bytes)")
        expectError(X.withConst(X.const(1, "c", offset: Int.max)), weights: w, "offset \(Int.max) + size 16 is beyond the end")
        expectError(X.withConst(X.const(1, "c", size: 12)), weights: w,
                    "size: expected 16 bytes (4 elements of f32, shape [1, 4]), found 12")
        expectError(X.withConst(X.const(1, "c").replacingOccurrences(of: "offset=\"0\"", with: "offset=\"-4\"")), weights: w,
                    "offset: expected a non-negative integer, found \"-4\"")
        expectError(X.withConst(X.const(1, "c").replacingOccurrences(of: " size=\"16\"", with: "")), weights: w,
                    "expected a size attribute")
        expectError(X.withConst(), weights: nil, "layer 'c' (id 1, Const)", "needs 16 bytes at offset 0", "no weights file was given")
    }

    @Test func missingAndTruncatedBinFiles() throws {
        let dir = try Fixtures.temporaryDirectory("ir-reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let xmlPath = dir.appendingPathComponent("m.xml").path
        try Data(X.withConst().utf8).write(to: URL(fileURLWithPath: xmlPath))
        let binPath = dir.appendingPathComponent("m.bin").path

        var text = X.errorText { _ = try IRReader.read(xmlPath: xmlPath) }
        #expect(text?.contains("layer 'c' (id 1, Const)") == true && text?.contains("the weights file \(binPath) does not exist") == true,
                "\(text ?? "no error")")

        try Data(count: 10).write(to: URL(fileURLWithPath: binPath))   // truncated: 10 of 16 bytes
        text = X.errorText { _ = try IRReader.read(xmlPath: xmlPath) }
        #expect(text?.contains("beyond the end of \(binPath) (10 bytes)") == true, "\(text ?? "no error")")

        text = X.errorText { _ = try IRReader.read(xmlPath: xmlPath, binPath: dir.appendingPathComponent("nope.bin").path) }
        #expect(text?.contains("nope.bin: cannot open the weights file") == true, "\(text ?? "no error")")

        text = X.errorText { _ = try IRReader.read(xmlPath: dir.appendingPathComponent("absent.xml").path) }
        #expect(text?.contains("absent.xml: no such file") == true, "\(text ?? "no error")")
        text = X.errorText { _ = try IRReader.read(xmlPath: dir.path) }
        #expect(text?.contains("is a directory") == true, "\(text ?? "no error")")
    }

    @Test("billion laughs is refused without expanding anything", .timeLimit(.minutes(1)))
    func entityBomb() {
        var dtd = "<!DOCTYPE net [\n<!ENTITY lol \"lol\">\n"
        dtd += "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        for i in 2...9 { dtd += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">\n" }
        dtd += "]>\n"
        let xml = "<?xml version=\"1.0\"?>\n" + dtd + "<net name=\"&lol9;\" version=\"11\"><layers/></net>"
        let start = Date()
        expectError(xml, "document type declaration (<!DOCTYPE>) at line 2", "without a DTD or entity declarations")
        #expect(Date().timeIntervalSince(start) < 1.0)
    }

    @Test func externalEntityIsRefused() {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE net [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <net name="&xxe;" version="11"><layers/></net>
        """
        let text = X.errorText { _ = try X.read(xml) }
        #expect(text?.contains("document type declaration") == true, "\(text ?? "no error")")
        #expect(text?.contains("root:") == false)
        expectError("<?xml version=\"1.0\"?>\n<!DOCTYPE net SYSTEM \"http://example.invalid/ir.dtd\">\n<net version=\"11\"/>",
                    "document type declaration")
    }

    @Test func undefinedEntityIsMalformed() {
        expectError(X.minimal.replacingOccurrences(of: "name=\"t\"", with: "name=\"&undefined;\""), "malformed XML at line")
    }

    @Test func duplicatePortIDsAndMissingType() {
        expectError(X.minimal.replacingOccurrences(of: "<port id=\"1\" precision=\"FP32\"", with: "<port id=\"0\" precision=\"FP32\""),
                    "layer 'y' (id 1, ReLU)", "port id 0 is used twice")
        expectError(X.minimal.replacingOccurrences(of: "type=\"ReLU\"", with: ""), "layer 'y' (id 1)", "expected a type attribute")
    }

    @Test func brokenBody() {
        let loop = """
        <layer id="1" name="loop" type="Loop" version="opset5">
          <input><port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port></input>
          <output><port id="1" precision="FP32"><dim>1</dim><dim>4</dim></port></output>
          <body><layers>\(X.param(0, "b_in"))\(X.relu(1, "b_relu"))\(X.result(2, "b_out"))</layers>
            <edges>\(X.edge(0, 0, 1, 0))</edges></body>
        </layer>
        """
        expectError(X.net([X.param(0, "x"), loop, X.result(2, "r")], [X.edge(0, 0, 1, 0), X.edge(1, 1, 2, 0)]),
                    "layer 'b_out' (id 2, Result)", "input port 0 has no incoming edge")
    }

    @Test("random mutations of real IR give a graph or an OVIRError, never a crash", .timeLimit(.minutes(1)))
    func mutationFuzz() throws {
        let original = try Data(contentsOf: Fixtures.url("conformance/test_loop11/model.xml"))
        let weights = try WeightsFile(path: Fixtures.path("conformance/test_loop11/model.bin"))
        let alphabet = Array("<>/=\"-.,0123456789 abcdefghijklmnopqrstuvwxyz&;?!".utf8)
        var seed: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(max(n, 1)))
        }
        var outcomes = (graphs: 0, errors: 0)
        for _ in 0..<300 {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + next(4)) {
                let at = next(bytes.count)
                switch next(4) {
                case 0: bytes[at] = alphabet[next(alphabet.count)]
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(alphabet[next(alphabet.count)], at: at)
                default: bytes.removeLast(next(64))
                }
            }
            do {
                _ = try IRReader.read(xmlData: Data(bytes), weights: weights, fileName: "fuzz.xml")
                outcomes.graphs += 1
            } catch let e as OVIRError {
                #expect(e.file == "fuzz.xml")
                outcomes.errors += 1
            }
        }
        #expect(outcomes.errors > 100)
    }
}
