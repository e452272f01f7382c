/// Elementwise ops: binary arithmetic, comparisons, logical and bitwise ops, Select, unary math
/// and classification.
enum ElementwiseOps {
    static let definitions: [OpDefinition] = arithmetic + comparisons + logical + unary

    private static func binary(_ type: String, _ version: Int, _ op: ArithmeticOp) -> OpDefinition {
        OpDefinition(type, version) { node in try BinaryArithmeticKernel(node, op) }
    }

    private static func unary(_ type: String, _ version: Int, _ op: UnaryOp) -> OpDefinition {
        OpDefinition(type, version) { node in try UnaryMathKernel(node, op) }
    }

    private static let arithmetic: [OpDefinition] = [
        binary("Add", 1, .add),
        binary("Subtract", 1, .subtract),
        binary("Multiply", 1, .multiply),
        binary("Divide", 1, .divide),
        binary("Power", 1, .power),
        binary("Maximum", 1, .maximum),
        binary("Minimum", 1, .minimum),
        binary("FloorMod", 1, .floorMod),
        binary("Mod", 1, .mod),
        binary("SquaredDifference", 1, .squaredDifference),
    ]

    private static let comparisons: [OpDefinition] = [
        OpDefinition("Equal", 1) { node in try ComparisonKernel(node, .equal) },
        OpDefinition("NotEqual", 1) { node in try ComparisonKernel(node, .notEqual) },
        OpDefinition("Less", 1) { node in try ComparisonKernel(node, .less) },
        OpDefinition("LessEqual", 1) { node in try ComparisonKernel(node, .lessEqual) },
        OpDefinition("Greater", 1) { node in try ComparisonKernel(node, .greater) },
        OpDefinition("GreaterEqual", 1) { node in try ComparisonKernel(node, .greaterEqual) },
    ]

    private static let logical: [OpDefinition] = [
        OpDefinition("LogicalAnd", 1) { node in try LogicalBinaryKernel(node, .and) },
        OpDefinition("LogicalOr", 1) { node in try LogicalBinaryKernel(node, .or) },
        OpDefinition("LogicalXor", 1) { node in try LogicalBinaryKernel(node, .xor) },
        OpDefinition("LogicalNot", 1) { node in NotKernel(node, logical: true) },
        OpDefinition("BitwiseAnd", 13) { node in try BitwiseBinaryKernel(node, .and) },
        OpDefinition("BitwiseOr", 13) { node in try BitwiseBinaryKernel(node, .or) },
        OpDefinition("BitwiseXor", 13) { node in try BitwiseBinaryKernel(node, .xor) },
        OpDefinition("BitwiseNot", 13) { node in NotKernel(node, logical: false) },
        OpDefinition("BitwiseLeftShift", 15) { node in try BitwiseBinaryKernel(node, .leftShift) },
        OpDefinition("BitwiseRightShift", 15) { node in try BitwiseBinaryKernel(node, .rightShift) },
        OpDefinition("Select", 1) { node in try SelectKernel(node) },
    ]

    private static let unary: [OpDefinition] = [
        unary("Negative", 1, .negative),
        unary("Abs", 1, .abs),
        unary("Sqrt", 1, .sqrt),
        unary("Exp", 1, .exp),
        unary("Log", 1, .log),
        unary("Sin", 1, .sin),
        unary("Cos", 1, .cos),
        unary("Tan", 1, .tan),
        unary("Asin", 1, .asin),
        unary("Acos", 1, .acos),
        unary("Atan", 1, .atan),
        unary("Sinh", 1, .sinh),
        unary("Cosh", 1, .cosh),
        unary("Tanh", 1, .tanh),
        unary("Asinh", 3, .asinh),
        unary("Acosh", 3, .acosh),
        unary("Atanh", 3, .atanh),
        unary("Floor", 1, .floor),
        unary("Ceiling", 1, .ceiling),
        unary("Round", 5, .roundHalfEven),
        unary("Sign", 1, .sign),
        unary("Erf", 1, .erf),
        OpDefinition("IsInf", 10) { node in try ClassifyKernel(node, .inf) },
        OpDefinition("IsNaN", 10) { node in try ClassifyKernel(node, .nan) },
        OpDefinition("IsFinite", 10) { node in try ClassifyKernel(node, .finite) },
    ]
}
