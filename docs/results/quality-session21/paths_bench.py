"""Forward and backward time of `candidate_logits`' two ways for narrow sibling sets (session 21):
gathering every row's candidate embeddings (N, W, C) against one matmul per group of rows that
share their candidates. python paths_bench.py (one thread, malloc as `lightlm fit` sets it; prints
one line per shape)."""

import time

import torch

from lightlm.cli import keep_freed_heap


def best_time(fn, reps: int = 3) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        logits = fn()
        logits.backward(torch.randn_like(logits))  # a dense gradient, as a loss's backward gives
        best = min(best, time.perf_counter() - t)
    return best


def compare(n_rows: int, n_groups: int, width: int, dim: int, n_items: int) -> None:
    embed = torch.nn.Embedding(n_items + 10, dim)
    h = torch.randn(n_rows, dim, requires_grad=True)
    groups = torch.randint(0, n_groups, (n_rows,))
    tokens = torch.randint(10, n_items + 10, (n_groups, width))[groups]

    def gathered():
        return torch.einsum("nc,nwc->nw", h, embed(tokens))

    def grouped():
        order = groups.argsort()
        _, counts = torch.unique_consecutive(groups[order], return_counts=True)
        columns = embed(tokens[order[counts.cumsum(0) - counts]])
        rows = h[order].split(counts.tolist())
        return torch.cat([r @ c.T for r, c in zip(rows, columns)])[order.argsort()]

    a, b = best_time(gathered), best_time(grouped)
    print(f"N={n_rows} G={n_groups} W={width} C={dim}: gather {a * 1e3:.0f} ms, grouped {b * 1e3:.0f} ms, "
          f"ratio {a / b:.1f}x", flush=True)


if __name__ == "__main__":
    keep_freed_heap()  # freed blocks reused, as in training: no page faults on each new (N, W, C) tensor
    torch.set_num_threads(1)
    for n_rows, n_groups, width in [(6000, 100, 175), (1500, 100, 175), (6000, 1500, 175), (6000, 750, 100),
                                    (6000, 1500, 100), (6000, 375, 20), (6000, 750, 20), (6000, 1500, 20),
                                    (6000, 6000, 8)]:
        compare(n_rows, n_groups, width, 64, 12101)
