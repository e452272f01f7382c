/// Where each intermediate tensor of a compiled model lives: a byte offset in one activation arena,
/// fixed when the model is compiled from the tensors' sizes and lifetimes.
///
/// A tensor is live from the step that produces it to the last step that reads it (both
/// included: a kernel reads its inputs while it writes its outputs). Two tensors may share bytes
/// only when their lifetimes are disjoint. Offsets are chosen greedily, each tensor in the smallest
/// gap between the already placed tensors it overlaps in time, in several orders — largest first
/// (the "greedy by size" strategy of Pisarchyk & Lee, "Efficient Memory Management for Deep Neural
/// Net Inference" (2020), which TensorFlow Lite's arena planner also uses), busiest lifetime first,
/// longest lifetime first, in step order, then (while above the bound) largest first with one of
/// the largest tensors moved to the front — keeping the smallest arena. The arena is usually
/// `peakLiveBytes`, the lower bound of any placement, or within a few percent of it.
///
/// Planned are outputs of steps whose shapes are static at compile time, that are not model
/// outputs (those are handed to the caller) and whose kernels do not allocate their own outputs,
/// and kernel scratch, live for its step only. Everything else is allocated at run time and freed
/// after its last use.
struct ActivationPlan {
    /// One planned tensor: its slot, aligned size and lifetime in steps.
    struct Item {
        var slot: Int
        var bytes: Int
        var first: Int
        var last: Int
        func overlapsInTime(_ o: Item) -> Bool { first <= o.last && o.first <= last }
    }

    static let alignment = 64

    /// Arena offset by slot, -1 for slots not in the arena.
    let offsets: [Int]
    /// The arena's size in bytes.
    let arenaBytes: Int
    /// The largest total size of planned items (tensors, kernel scratch) live at the same step.
    let peakLiveBytes: Int
    /// What was planned.
    let items: [Item]

    init(slotCount: Int, items: [Item]) {
        var peak = 0
        var pressure = Array(repeating: 0, count: items.count)
        if let lastStep = items.map(\.last).max() {
            var delta = Array(repeating: 0, count: lastStep + 2)
            for t in items { delta[t.first] += t.bytes; delta[t.last + 1] -= t.bytes }
            var liveAt = Array(repeating: 0, count: lastStep + 1)
            var live = 0
            for s in 0...lastStep { live += delta[s]; liveAt[s] = live; peak = max(peak, live) }
            for (i, t) in items.enumerated() { pressure[i] = liveAt[t.first...t.last].max()! }
        }
        // Orders tried, the smallest arena kept (ties: the first). Greedy by size (Pisarchyk & Lee's
        // best single strategy) first; the others win on graphs whose long-lived skip tensors
        // (U-Net's encoder outputs) fragment the arena when placed after the large short-lived ones:
        // by the peak of live bytes over the tensor's lifetime (the "breadth" of the busiest step it
        // spans, as in their greedy by breadth), by lifetime length, and in step order.
        let len = { (t: Item) in t.last - t.first }
        let orders: [(Int, Int) -> Bool] = [
            { a, b in items[a].bytes != items[b].bytes ? items[a].bytes > items[b].bytes : items[a].first < items[b].first },
            { a, b in pressure[a] != pressure[b] ? pressure[a] > pressure[b]
                : items[a].bytes != items[b].bytes ? items[a].bytes > items[b].bytes : items[a].first < items[b].first },
            { a, b in len(items[a]) != len(items[b]) ? len(items[a]) > len(items[b])
                : items[a].bytes != items[b].bytes ? items[a].bytes > items[b].bytes : items[a].first < items[b].first },
            { a, b in items[a].first != items[b].first ? items[a].first < items[b].first
                : items[a].bytes != items[b].bytes ? items[a].bytes > items[b].bytes : a < b },
        ]
        var best: (offsets: [Int], arena: Int)? = nil
        for order in orders {
            let placed = Self.place(items, order: items.indices.sorted(by: order))
            if best == nil || placed.arena < best!.arena { best = placed }
            if best!.arena == peak { break }   // the lower bound: nothing can do better
        }
        // Still above the bound: greedy by size with one of the largest tensors placed first (on
        // U-Net, Interpolate's scratch at the decoder's widest step; on DenseNet, the stem's output).
        if let b = best, b.arena > peak {
            let bySize = items.indices.sorted(by: orders[0])
            for j in 1..<Swift.min(bySize.count, Self.moveToFrontCandidates) {
                var order = bySize
                order.insert(order.remove(at: j), at: 0)
                let placed = Self.place(items, order: order)
                if placed.arena < best!.arena { best = placed }
                if best!.arena == peak { break }
            }
        }
        var offsets = Array(repeating: -1, count: slotCount)
        for (i, t) in items.enumerated() { offsets[t.slot] = best!.offsets[i] }
        self.offsets = offsets
        self.arenaBytes = best?.arena ?? 0
        self.peakLiveBytes = peak
        self.items = items
    }

    /// Pairs of planned items live at the same step whose bytes overlap (empty for a valid plan).
    func overlaps() -> [(Item, Item)] {
        var out: [(Item, Item)] = []
        for (i, a) in items.enumerated() {
            for b in items[(i + 1)...] where a.overlapsInTime(b) {
                let oa = offsets[a.slot], ob = offsets[b.slot]
                if oa < ob + b.bytes && ob < oa + a.bytes { out.append((a, b)) }
            }
        }
        return out
    }

    /// How many of the largest tensors are tried first in turn when the fixed orders miss the bound.
    static let moveToFrontCandidates = 64

    /// Places `items` in `order`, each at the start of the smallest gap (between the already placed
    /// tensors it is live with) that holds it, else after the last of them. Offsets by item index.
    static func place(_ items: [Item], order: [Int]) -> (offsets: [Int], arena: Int) {
        var offsets = Array(repeating: -1, count: items.count)
        var placed: [Int] = []
        placed.reserveCapacity(items.count)
        var arena = 0
        var neighbours: [(offset: Int, end: Int)] = []
        for i in order {
            let t = items[i]
            neighbours.removeAll(keepingCapacity: true)
            for p in placed where items[p].overlapsInTime(t) { neighbours.append((offsets[p], offsets[p] + items[p].bytes)) }
            neighbours.sort { $0.offset < $1.offset }
            var best = -1, bestGap = Int.max, end = 0
            for n in neighbours {
                let gap = n.offset - end
                if gap >= t.bytes && gap < bestGap { best = end; bestGap = gap }
                end = max(end, n.end)
            }
            offsets[i] = best >= 0 ? best : end
            placed.append(i)
            arena = max(arena, offsets[i] + t.bytes)
        }
        return (offsets, arena)
    }

    static func aligned(_ bytes: Int) -> Int { (max(bytes, 1) + alignment - 1) / alignment * alignment }
}

/// What a compiled model's activations need, for reports (`swiftpot benchmark --json`).
public struct ActivationMemory: Sendable, Hashable {
    /// Bytes of the arena that holds every planned intermediate tensor and kernel scratch
    /// (allocated on the first run).
    public var arenaBytes: Int
    /// The largest total size of planned intermediate tensors and kernel scratch live at the same
    /// step (the arena's lower bound).
    public var peakLiveBytes: Int
    /// Sizes of the model's largest activations (outputs of non-constant nodes with static
    /// shapes, model outputs included), largest first, at most two.
    public var largestActivationBytes: [Int]
    /// Bytes of the constants the plan reads (weights and folded sub-graphs; a constant read by
    /// several nodes counts once).
    public var constantBytes: Int
}
