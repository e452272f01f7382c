import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OVIR

/// `swiftpot convert IN.xml OUT.xml`: reads an IR (v10 or v11) and writes it back as IR v11.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Read an OpenVINO IR (v10 or v11) and write it as IR v11.",
        discussion: "The weights are read from IN.bin and written to OUT.bin (identical constants stored once). "
            + "Output is atomic: on failure no OUT.xml or OUT.bin is left behind.")

    @Argument(help: "The input model (.xml; its .bin beside it).")
    var input: String

    @Argument(help: "The output model (.xml); the weights go to the .bin beside it.")
    var output: String

    @Option(help: "The input weights file (default: IN.bin).")
    var weights: String?

    func run() throws {
        try runReportingErrors {
            guard output.hasSuffix(".xml") else {
                throw OVIRError(file: output, "the output path must end in .xml (OUT.bin is written beside it)")
            }
            let graph = try IRReader.read(xmlPath: input, binPath: weights)
            try IRWriter.write(graph, xmlPath: output)
            log("wrote \(output) and \(IRWriter.defaultBinPath(forXML: output)) (IR v11, \(graph.nodes.count) layers)")
        }
    }
}
