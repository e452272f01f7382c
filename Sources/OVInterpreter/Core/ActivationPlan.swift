/// Where each intermediate tensor of a compiled model lives: a byte offset in one activation arena,
/// fixed when the model is compiled from the tensors' sizes and lifetimes.
///
/// A tensor is live from the step that produces it to the last step that reads it (both
/// included: a kernel reads its inputs while it writes its outputs). Two tensors may share bytes
/// only when their lifetimes are disjoint. Offsets are chosen greedily by size, largest first, each
/// in the smallest gap between the already placed tensors it overlaps in time — the "greedy by
/// size" strategy of Pisarchyk & Lee, "Efficient Memory Management for Deep Neural Net Inference"
/// (2020), which TensorFlow Lite's arena planner also uses. The arena is usually within a few
/// percent of `peakLiveBytes`, the lower bound of any placement.
///
/// Planned are outputs of steps whose shapes are static at compile time, that are not model
/// outputs (those are handed to the caller) and whose kernels do not allocate their own outputs.
/// Everything else is allocated at run time and freed after its last use.
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
    /// The largest total size of planned tensors live at the same step.
    let peakLiveBytes: Int

    init(slotCount: Int, items: [Item]) {
        var offsets = Array(repeating: -1, count: slotCount)
        var placed: [(item: Item, offset: Int)] = []
        placed.reserveCapacity(items.count)
        var arena = 0
        let order = items.indices.sorted { a, b in
            items[a].bytes != items[b].bytes ? items[a].bytes > items[b].bytes : items[a].first < items[b].first
        }
        var neighbours: [(offset: Int, end: Int)] = []
        for i in order {
            let t = items[i]
            neighbours.removeAll(keepingCapacity: true)
            for p in placed where p.item.overlapsInTime(t) { neighbours.append((p.offset, p.offset + p.item.bytes)) }
            neighbours.sort { $0.offset < $1.offset }
            var best = -1, bestGap = Int.max, end = 0
            for n in neighbours {
                let gap = n.offset - end
                if gap >= t.bytes && gap < bestGap { best = end; bestGap = gap }
                end = max(end, n.end)
            }
            let offset = best >= 0 ? best : end
            offsets[t.slot] = offset
            placed.append((t, offset))
            arena = max(arena, offset + t.bytes)
        }
        var peak = 0
        if let lastStep = items.map(\.last).max() {
            var delta = Array(repeating: 0, count: lastStep + 2)
            for t in items { delta[t.first] += t.bytes; delta[t.last + 1] -= t.bytes }
            var live = 0
            for d in delta { live += d; peak = max(peak, live) }
        }
        self.offsets = offsets
        self.arenaBytes = arena
        self.peakLiveBytes = peak
    }

    static func aligned(_ bytes: Int) -> Int { (max(bytes, 1) + alignment - 1) / alignment * alignment }
}

/// What a compiled model's activations need, for reports (`swiftpot benchmark --json`).
public struct ActivationMemory: Sendable, Hashable {
    /// Bytes of the arena that holds every planned intermediate tensor (allocated on the first run).
    public var arenaBytes: Int
    /// The largest total size of planned intermediate tensors live at the same time.
    public var peakLiveBytes: Int
    /// Sizes of the model's largest activations (outputs of non-constant nodes with static
    /// shapes, model outputs included), largest first, at most two.
    public var largestActivationBytes: [Int]
    /// Bytes of the constants the plan reads (weights and folded sub-graphs; a constant read by
    /// several nodes counts once).
    public var constantBytes: Int
}
