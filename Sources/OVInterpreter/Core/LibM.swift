#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's math functions under a name that local variables, enum cases and the CLI's
/// `log` cannot shadow (this code wrote `Foundation.exp`; Foundation is no longer imported).
package enum LibM {
    @inline(__always) package static func exp(_ x: Float) -> Float {
        #if canImport(Glibc)
        Glibc.exp(x)
        #else
        Darwin.exp(x)
        #endif
    }
    @inline(__always) package static func log(_ x: Float) -> Float {
        #if canImport(Glibc)
        Glibc.log(x)
        #else
        Darwin.log(x)
        #endif
    }
    @inline(__always) package static func tanh(_ x: Float) -> Float {
        #if canImport(Glibc)
        Glibc.tanh(x)
        #else
        Darwin.tanh(x)
        #endif
    }
    @inline(__always) package static func cos(_ x: Float) -> Float {
        #if canImport(Glibc)
        Glibc.cos(x)
        #else
        Darwin.cos(x)
        #endif
    }
    @inline(__always) package static func sin(_ x: Float) -> Float {
        #if canImport(Glibc)
        Glibc.sin(x)
        #else
        Darwin.sin(x)
        #endif
    }
    @inline(__always) package static func log(_ x: Double) -> Double {
        #if canImport(Glibc)
        Glibc.log(x)
        #else
        Darwin.log(x)
        #endif
    }
    @inline(__always) package static func cos(_ x: Double) -> Double {
        #if canImport(Glibc)
        Glibc.cos(x)
        #else
        Darwin.cos(x)
        #endif
    }
}
