#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Column panels of ``PackedConvGemm``: which output pixels each panel holds, and how their taps
// are read from the input (in place for 1x1 convolutions, else from stride-phase padded planes).
extension PackedConvGemm {
    /// Packs taps `offsets[0..<kc]` of the output pixels of panels `p0..<p1` into `dst`, panel after
    /// panel, each `kc` rows of its width. Tap `t` of pixel `j` is `base[offsets[t] + src(j)]`, where
    /// `src(j) = (oz·gridHeight + oy)·gridWidth + ox` is the place on the source grid of the pixel
    /// `(oz, oy, ox)` (`oz` = 0 but in 3-D convolutions; a 2-D band holds the grid rows from
    /// `rowOrigin` on, so `oy − rowOrigin`), so each run of a panel's pixels within one output row
    /// (within the whole panel when the grid has the output's shape: 1x1 convolutions reading
    /// their input in place) is one contiguous copy per tap; columns at or past `n` are 0 (the last
    /// panel's padding).
    ///
    /// Taps are the outer loop: each tap's row (one input channel's plane) is read front to back
    /// across all the block's panels, one sequential stream at a time. (Panels outside, taps inside,
    /// read 24-96 bytes from each of `kc` planes a plane apart per panel: `kc` streams and pages at
    /// once, and 1x1 convolutions with 2 K blocks took 20-30 % more CPU time per inference.)
    static func packColumns(_ base: UnsafePointer<Float>, offsets: UnsafePointer<Int>, kc: Int, panels: ColumnPanels,
                            p0: Int, p1: Int, oh: Int, ow: Int, gridHeight: Int, gridWidth: Int, rowOrigin: Int = 0,
                            into dst: UnsafeMutablePointer<Float>) {
        let base = base - rowOrigin * gridWidth   // where grid row 0 would be (never read before the band)
        // src(j) = j: the grid is as wide as the output (and as high, or there is one depth slice).
        let contiguous = gridWidth == ow && (gridHeight == oh || panels.n <= oh * ow)
        // Whole 24-wide panels of consecutive source columns: per tap one sequential run of the
        // block's columns, three vector copies per panel in a loop the compiler unrolls (several
        // loads in flight; the general loop below keeps one run's copies in flight).
        if contiguous && p1 <= panels.wide && panels.start(p1 - 1) + nr <= panels.n {
            let c0 = panels.start(p0), count = p1 - p0, step = kc * nr
            for t in 0..<kc {
                var s = base + offsets[t] + c0, d = dst + t * nr
                for _ in 0..<count {
                    store8(load8(s), d); store8(load8(s + 8), d + 8); store8(load8(s + 16), d + 16)
                    s += nr
                    d += step
                }
            }
            return
        }
        // The block's runs: source offset on the grid, the panel's start in the packed block, its
        // width, the run's first column in the panel, length.
        var runs: [(src: Int, panel: Int, width: Int, col: Int, len: Int)] = []
        var pads: [(panel: Int, width: Int, valid: Int)] = []
        runs.reserveCapacity((p1 - p0) * 2)
        var panelStart = 0
        for p in p0..<p1 {
            let c0 = panels.start(p), w = panels.width(p)
            let end = Swift.min(c0 + w, panels.n)
            var j = c0
            while j < end {
                let r = j / ow, ox = j - r * ow
                let oz = r / oh, oy = r - oz * oh
                let len = contiguous ? end - j : Swift.min(ow - ox, end - j)
                runs.append(((oz * gridHeight + oy) * gridWidth + ox, panelStart, w, j - c0, len))
                j += len
            }
            if end - c0 < w { pads.append((panelStart, w, Swift.max(0, end - c0))) }
            panelStart += kc * w
        }
        runs.withUnsafeBufferPointer { runs in
            for t in 0..<kc {
                let s = base + offsets[t]
                for r in runs {
                    copyRun(s + r.src, into: dst + r.panel + t * r.width + r.col, count: r.len)
                }
            }
        }
        for pad in pads {
            for t in 0..<kc { (dst + pad.panel + t * pad.width + pad.valid).update(repeating: 0, count: pad.width - pad.valid) }
        }
    }

    /// `d[0..<count] = r[0..<count]`: 24 as three vectors, 8 or more as vectors with one
    /// (overlapping) vector ending at the run's end, fewer one by one.
    @inline(__always)
    static func copyRun(_ r: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>, count: Int) {
        if count == nr {
            store8(load8(r), d); store8(load8(r + 8), d + 8); store8(load8(r + 16), d + 16)
        } else if count >= 8 {
            let tail = count - 8
            var i = 0
            while i < tail { store8(load8(r + i), d + i); i += 8 }
            store8(load8(r + tail), d + tail)
        } else {
            for i in 0..<count { d[i] = r[i] }
        }
    }

    /// Where the GEMM's columns come from: the input planes themselves (1x1, stride 1, no
    /// padding), or zero-padded copies split into stride phases so that every tap of every
    /// output pixel is `plane + offset(tap) + pixel` on a grid of `gridWidth` columns: tap
    /// `(ki, kj)` of output `(oy, ox)` reads padded row `oy·sh + ki·dh`, which is row `oy + ki·dh / sh`
    /// of phase `ki·dh mod sh` (columns likewise). Stride-1 convolutions have one phase (the
    /// padded plane); the grid is `ow + (KW - 1)·dw / sw` wide, and packing reads only its first
    /// `ow` columns of each row (the output pixels). 3-D convolutions do the same along depth:
    /// phases by (depth, row, column) remainder, grids `gridDepth × gridHeight × gridWidth`.
    struct ColumnSource {
        let g: ConvShape
        let pointwise: Bool
        let gridWidth: Int, gridHeight: Int, gridDepth: Int
        /// Phase plane index by (depth phase, row phase, column phase), -1 when no tap uses it.
        let phaseIndex: [Int]
        let phases: Int
        /// 2-D grids (no depth) are filled in bands of rows (``PackedConvGemm/Layout``).
        var banded: Bool { !pointwise && gridDepth == 1 }
        /// Grid rows the taps of one output row span beyond it: `(KH - 1)·dh / sh`.
        var halo: Int { pointwise ? 0 : (g.kh - 1) * g.dh / g.sh }
        /// Grid rows held at once per channel and phase: a band of a 2-D grid (set by
        /// ``PackedConvGemm/Layout``), else the whole height.
        var bandRows: Int
        /// Floats of one phase grid as held (a band of rows of a 2-D grid).
        var gridFloats: Int { gridDepth * bandRows * gridWidth }
        /// Floats of all phase grids of one group's channels.
        var planeFloats: Int { g.inPerGroup * phases * gridFloats }

        init(_ g: ConvShape) {
            self.g = g
            pointwise = g.isPointwise
            if pointwise {
                gridWidth = g.w; gridHeight = g.h; gridDepth = g.d; bandRows = g.h
                phaseIndex = [0]; phases = 1
                return
            }
            gridWidth = g.ow + (g.kw - 1) * g.dw / g.sw
            gridHeight = g.oh + (g.kh - 1) * g.dh / g.sh
            gridDepth = g.od + (g.kd - 1) * g.dd / g.sd
            bandRows = gridHeight
            var index = Array(repeating: -1, count: g.sd * g.sh * g.sw)
            var count = 0
            for kz in 0..<g.kd {
                for ki in 0..<g.kh {
                    for kj in 0..<g.kw {
                        let ph = ((kz * g.dd % g.sd) * g.sh + ki * g.dh % g.sh) * g.sw + kj * g.dw % g.sw
                        if index[ph] < 0 { index[ph] = count; count += 1 }
                    }
                }
            }
            phaseIndex = index; phases = count
        }

        /// The start of each tap's column row, relative to the source base, in K order (c, kz, ki, kj).
        func tapOffsets() -> [Int] {
            let plane = bandRows * gridWidth, grid = gridFloats
            var out: [Int] = []
            out.reserveCapacity(g.inPerGroup * g.taps)
            for c in 0..<g.inPerGroup {
                for kz in 0..<g.kd {
                    for ki in 0..<g.kh {
                        for kj in 0..<g.kw {
                            if pointwise { out.append(c * grid); continue }
                            let ph = phaseIndex[((kz * g.dd % g.sd) * g.sh + ki * g.dh % g.sh) * g.sw + kj * g.dw % g.sw]
                            out.append((c * phases + ph) * grid + (kz * g.dd / g.sd) * plane
                                       + (ki * g.dh / g.sh) * gridWidth + kj * g.dw / g.sw)
                        }
                    }
                }
            }
            return out
        }

        /// Fills grid rows `rows` (at most ``bandRows``; all of them for 3-D grids) of the phase
        /// grids of one group's input channels (`x`, NC(D)HW) into `dst`: row `v` of depth `z` of
        /// channel `c`'s phase `ph` at `(c·phases + ph)·gridFloats + (z·bandRows + v − rows.lowerBound)·gridWidth`.
        func fillPlanes(_ x: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Range<Int>) {
            let plane = bandRows * gridWidth, grid = gridFloats
            for rz in 0..<g.sd {
                for ry in 0..<g.sh {
                    for rx in 0..<g.sw {
                        let ph = phaseIndex[(rz * g.sh + ry) * g.sw + rx]
                        if ph < 0 { continue }
                        // Grid column u reads input column u·sw + rx - pw; those inside the row:
                        let u0 = Swift.max(0, ceilDiv(g.pw - rx, g.sw))
                        let u1 = Swift.max(u0, Swift.min(gridWidth, floorDiv(g.w - 1 + g.pw - rx, g.sw) + 1))
                        for c in 0..<g.inPerGroup {
                            let gc = dst + (c * phases + ph) * grid, xc = x + c * g.inPlane
                            for z in 0..<gridDepth {
                                let iz = z * g.sd + rz - g.pd
                                if iz < 0 || iz >= g.d {
                                    (gc + z * plane).update(repeating: 0, count: plane)
                                    continue
                                }
                                for v in rows {
                                    let row = gc + z * plane + (v - rows.lowerBound) * gridWidth
                                    let iy = v * g.sh + ry - g.ph
                                    if iy < 0 || iy >= g.h || u0 >= u1 {
                                        row.update(repeating: 0, count: gridWidth)
                                        continue
                                    }
                                    if u0 > 0 { row.update(repeating: 0, count: u0) }
                                    let xr = xc + (iz * g.h + iy) * g.w + (u0 * g.sw + rx - g.pw)
                                    if g.sw == 1 {
                                        (row + u0).update(from: xr, count: u1 - u0)
                                    } else if g.sw == 2 {
                                        // Even elements, eight per step (each step reads 16 values,
                                        // the last one past the taken ones: stop 9 before the end).
                                        let count = u1 - u0, dst = row + u0
                                        var u = 0
                                        while u + 9 <= count {
                                            store8(UnsafeRawPointer(xr + 2 * u).loadUnaligned(as: SIMD16<Float>.self).evenHalf, dst + u)
                                            u += 8
                                        }
                                        while u < count { dst[u] = xr[2 * u]; u += 1 }
                                    } else {
                                        for u in 0..<(u1 - u0) { row[u0 + u] = xr[u &* g.sw] }
                                    }
                                    if u1 < gridWidth { (row + u1).update(repeating: 0, count: gridWidth - u1) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
