"""Forward+backward time of candidate_logits' gather path vs its grouped path: N rows, G groups, W, C."""
import time, torch
torch.set_num_threads(1)
def run(N, G, W, C, n_items, reps=3):
    emb = torch.nn.Embedding(n_items + 10, C)
    h = torch.randn(N, C, requires_grad=True)
    groups = torch.randint(0, G, (N,))
    table = torch.randint(10, n_items + 10, (G, W))
    tokens = table[groups]
    def gather():
        return torch.einsum("nc,nwc->nw", h, emb(tokens))
    def grouped():
        order = groups.argsort()
        _, counts = torch.unique_consecutive(groups[order], return_counts=True)
        cols = emb(tokens[order[counts.cumsum(0) - counts]])
        rows = h[order].split(counts.tolist())
        return torch.cat([r @ c.T for r, c in zip(rows, cols)])[order.argsort()]
    out = {}
    for name, f in (("gather", gather), ("grouped", grouped)):
        best = 1e9
        for _ in range(reps):
            t = time.perf_counter(); y = f(); y.sum().backward(); best = min(best, time.perf_counter() - t)
        out[name] = best
    print(f"N={N} G={G} W={W} C={C}: gather {out['gather']*1e3:.0f} ms, grouped {out['grouped']*1e3:.0f} ms, ratio {out['gather']/out['grouped']:.1f}x", flush=True)
run(6000, 100, 175, 64, 12101)
run(1500, 100, 175, 64, 12101)
run(6000, 1000, 20, 64, 12101)
run(6000, 3000, 20, 64, 12101)
run(6000, 6000, 8, 64, 12101)
run(1500, 1500, 8, 64, 12101)
