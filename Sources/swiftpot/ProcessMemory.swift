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

/// The process's own memory figures, for reports.
enum ProcessMemory {
    /// Peak resident set size so far in bytes (getrusage's ru_maxrss: kB on Linux, bytes on Darwin).
    static func peakRSSBytes() -> Int {
        var u = rusage()
        #if canImport(Darwin)
        guard getrusage(RUSAGE_SELF, &u) == 0 else { return 0 }
        return Int(u.ru_maxrss)
        #else
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u) == 0 else { return 0 }
        return Int(u.ru_maxrss) * 1024
        #endif
    }

    /// CPU time the process has used so far (all threads), in milliseconds. On a shared host the
    /// wall-clock time of a run includes the time other processes held the CPU; this does not.
    static func cpuMilliseconds() -> Double {
        var t = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) == 0 else { return 0 }
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
    }

    /// Returns free heap pages to the system. After a model is compiled, the memory of the IR's
    /// XML parse is free but still resident (glibc keeps freed pages below the top of the heap);
    /// trimming before the first run keeps it out of the peak.
    static func trimFreeHeap() {
        #if canImport(Glibc)
        // malloc_trim is glibc's (malloc.h, which the Glibc module does not export): look it up.
        typealias Trim = @convention(c) (Int) -> Int32
        if let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(sym, to: Trim.self)(0)
        }
        #endif
    }
}
