import POTCore

/// BiasCorrection's sub-graphs run on the same interpreter settings as the engine (POT's `IELauncher`).
extension IEEngine: GraphLauncher {
    package func compileForLaunch(_ graph: Graph) throws -> ([String: Tensor]) throws -> [Tensor] {
        let compiled = try CompiledModel(graph: graph, options: CompileOptions(threads: config.threads ?? 1))
        return { feed in try compiled.infer(named: feed) }
    }
}
