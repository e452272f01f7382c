/// Conformance cases not run, each with the reason. Keep this under 1% of the suite.
let conformanceSkips: [String: String] = [:]
