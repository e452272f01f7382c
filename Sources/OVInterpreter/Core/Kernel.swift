@_exported import OVIR

/// What is known about a value before (or while) running: its element type, its shape, and — when
/// known — the value itself (constants at compile time; every input at run time).
public struct ValueInfo: @unchecked Sendable {
    public var elementType: ElementType
    public var shape: PartialShape
    /// The value, when known. Shape-computing ops (ShapeOf) may set it from a static shape alone.
    public var value: Tensor?

    public init(_ elementType: ElementType, _ shape: PartialShape, value: Tensor? = nil) {
        self.elementType = elementType
        self.shape = shape
        self.value = value
    }
    public init(_ elementType: ElementType, _ shape: [Int], value: Tensor? = nil) {
        self.init(elementType, PartialShape(static: shape), value: value)
    }
    public init(_ tensor: Tensor) {
        self.init(tensor.elementType, PartialShape(static: tensor.shape), value: tensor)
    }

    /// The static shape; throws (naming the input) when it is not static.
    public func staticShape(_ what: String = "input") throws -> [Int] {
        guard let s = shape.staticShape else { throw OVIRError("\(what) has a dynamic shape \(shape); a static shape is needed here") }
        return s
    }
}

/// One op instance for one node: attributes parsed once when the model is compiled, a pure shape
/// inference, and a kernel.
///
/// `infer` must not depend on anything but its arguments and the parsed attributes. `run` receives
/// outputs already allocated with the shapes and element types `infer` returned for the actual
/// inputs, and must fill every element.
public protocol Kernel: AnyObject {
    /// Output element types and shapes (and values, when an op can compute them cheaply from shapes
    /// alone, as ShapeOf does). Unknown dims are `.dynamic`; they are resolved again at run time.
    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo]
    /// Computes the outputs into the preallocated `outputs`.
    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws
    /// A short name for traces (`ref`, `blas.gemm`, …).
    var kernelName: String { get }
    /// Whether outputs are allocated by `run` itself (data-dependent shapes such as NonZero, Unique,
    /// Loop). Then `outputs` arrives empty and `run` appends one tensor per output.
    var allocatesOutputs: Bool { get }
    /// Bytes of ``ExecutionContext/scratch(slot:byteCount:)`` that `run` asks for with these static
    /// input and output infos and `options` (0: none, or not known in advance): the sum of its
    /// requests in the order made, each rounded up to ``ExecutionContext/scratchAlignment``. The
    /// compiled model plans that much of the activation arena for the step's duration.
    func scratchBytes(_ inputs: [ValueInfo], _ outputs: [ValueInfo], _ options: CompileOptions) -> Int
}

extension Kernel {
    public var kernelName: String { "ref" }
    public var allocatesOutputs: Bool { false }
    public func scratchBytes(_ inputs: [ValueInfo], _ outputs: [ValueInfo], _ options: CompileOptions) -> Int { 0 }
}

/// A kernel that can leave some of its outputs uncomputed. Compiling asks it for such a variant
/// when no step reads those outputs (MaxPool-8's indices after most converters); runs that observe
/// one of them use the full kernel. The skipped outputs are still allocated (contents undefined).
protocol OutputSkippingKernel: Kernel {
    /// A kernel computing every output but `outputs` (indices), or nil when it cannot skip them.
    func skipping(outputs: Set<Int>) -> (any Kernel)?
}

/// Per-run state handed to kernels: options and reusable scratch memory.
///
/// Scratch comes from the step's region of the activation arena when the compiled model planned
/// one (``Kernel/scratchBytes(_:_:_:)``: live only while the step runs, so it shares bytes with
/// tensors of other steps), else from buffers kept per slot across steps and runs.
public final class ExecutionContext: @unchecked Sendable {
    public let options: CompileOptions
    private var scratch: [Int: TensorBuffer] = [:]
    /// The running step's arena region and what of it is handed out, by slot.
    private var region: UnsafeMutableRawPointer?
    private var regionBytes = 0, regionUsed = 0
    private var regionSlots: [(slot: Int, pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    /// Requests served from kept buffers while a step region was set: a kernel asked for more than
    /// its ``Kernel/scratchBytes(_:_:_:)`` (tests check this stays 0).
    package private(set) var regionMisses = 0

    public static let scratchAlignment = 64

    public init(options: CompileOptions) { self.options = options }

    /// Bytes of the buffers kept per slot (scratch not planned into the arena).
    package var keptScratchBytes: Int { scratch.values.reduce(0) { $0 + $1.byteCount } }

    /// Rounds a scratch request up to ``scratchAlignment``.
    public static func aligned(_ bytes: Int) -> Int { (Swift.max(bytes, 1) + scratchAlignment - 1) / scratchAlignment * scratchAlignment }

    /// A scratch buffer of at least `byteCount` bytes, reused across calls with the same `slot`
    /// (contents are not preserved between calls).
    public func scratch(slot: Int = 0, byteCount: Int) -> UnsafeMutableRawPointer {
        if let region {
            if let r = regionSlots.first(where: { $0.slot == slot }), r.bytes >= byteCount { return r.pointer }
            let a = Self.aligned(byteCount)
            if regionUsed + a <= regionBytes {
                let p = region + regionUsed
                regionUsed += a
                regionSlots.append((slot, p, a))
                return p
            }
            regionMisses += 1
        }
        if let b = scratch[slot], b.byteCount >= byteCount { return b.bytes }
        let b = TensorBuffer(uninitializedByteCount: byteCount)
        scratch[slot] = b
        return b.bytes
    }

    /// Serves the next step's scratch requests from `bytes` bytes at `pointer` (64-byte aligned)
    /// until ``endStep()``.
    func beginStep(region pointer: UnsafeMutableRawPointer, bytes: Int) {
        region = pointer
        regionBytes = bytes
        regionUsed = 0
        regionSlots.removeAll(keepingCapacity: true)
    }

    func endStep() {
        region = nil
        regionSlots.removeAll(keepingCapacity: true)
    }
}

/// Options fixed when a model is compiled.
public struct CompileOptions: Sendable {
    /// Run reference kernels everywhere (fast kernels off).
    public var referenceKernelsOnly: Bool
    /// Worker threads for kernels that parallelise (1 = none).
    public var threads: Int
    /// Print each node's name, type, shapes, kernel and time to stderr.
    public var trace: Bool
    /// Fold nodes whose inputs are all constant when the model is compiled.
    public var constantFolding: Bool
    /// DEVELOPER-ONLY, not part of the public contract: round tensors to bfloat16 where OpenVINO's
    /// CPU plugin would with bf16 inference precision (`BF16Emulation.swift`). Default `.off`.
    public var bf16Emulation: BF16Emulation
    /// Fuse convolution + bias Add (+ residual Add) (+ activation) chains into the convolution's
    /// output pass (fast kernels only; `FastFusion.swift`). Off: every step runs on its own (tests
    /// compare both; results are bit-identical).
    package var fuseConvolutions = true
    /// Pack convolution weights for the packed GEMM when compiling, the packed copy replacing a
    /// constant only that convolution reads (fast kernels only; `CompiledModel.init`). Off: they
    /// are packed on the first run, beside the constant (tests compare both; bit-identical).
    package var prepackWeights = true

    public init(referenceKernelsOnly: Bool = false, threads: Int = 1, trace: Bool = false, constantFolding: Bool = true,
                bf16Emulation: BF16Emulation = .off) {
        self.referenceKernelsOnly = referenceKernelsOnly
        self.threads = threads
        self.trace = trace
        self.constantFolding = constantFolding
        self.bf16Emulation = bf16Emulation
    }
}
