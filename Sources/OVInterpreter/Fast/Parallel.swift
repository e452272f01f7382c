#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch

/// Holds a non-Sendable value (a closure capturing raw pointers) across `concurrentPerform`.
/// Safe here because workers write disjoint parts of the output and the call waits for all of them.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
}

/// Splits `0..<count` into at most `threads` contiguous chunks (boundaries multiples of `align`,
/// except the last) and runs `body` on each, in parallel when there is more than one.
func parallelChunks(_ count: Int, threads: Int, align: Int = 1, _ body: (Range<Int>) -> Void) {
    let t = Swift.min(threads, (count + align - 1) / Swift.max(align, 1))
    if t <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    let blocks = (count + align - 1) / align
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(value: body)
        DispatchQueue.concurrentPerform(iterations: t) { i in
            let lo = Swift.min(count, (blocks * i / t) * align)
            let hi = Swift.min(count, (blocks * (i + 1) / t) * align)
            if lo < hi { box.value(lo..<hi) }
        }
    }
}

/// Runs `body(i)` for `i` in `0..<count` on up to `threads` workers (contiguous runs per worker).
func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    parallelChunks(count, threads: threads) { r in for i in r { body(i) } }
}
