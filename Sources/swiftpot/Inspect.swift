import ArgumentParser
import Foundation
import OVIR

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Not implemented yet.")
    func run() throws {
        try runReportingErrors { throw OVIRError("swiftpot inspect is not implemented yet") }
    }
}
