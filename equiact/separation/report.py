"""Text tables and plots of separation results (oracle columns beside the model's verdicts).

>>> from equiact.separation.protocol import separate
>>> res = separate("rook-shrikhande", "tuples", seeds=1, hidden=2)
>>> print(format_table(res))   # doctest: +NORMALIZE_WHITESPACE
tuples on rook-shrikhande (random weights, 1 seed(s), float64, norm none)
category         pairs  1-WL  2-FWL  separated  not separated  undecided
rook-shrikhande      1     0      0          0              1          0
"""

from __future__ import annotations

from equiact.errors import InvalidInputError

__all__ = ["format_pairs", "format_table", "plot_results"]


def format_table(result) -> str:
    """One row per category: pairs, oracle separations, the model's verdict counts."""
    rows = result.table()
    st = result.settings
    if st.get("protocol", "random") == "random":
        how = f"random weights, {st.get('seeds')} seed(s)"
    else:
        how = f"{st.get('protocol')} protocol"
    title = result.dataset.title or "pairs"
    head = f"{result.model} on {title} ({how}, {st.get('dtype')}, norm {st.get('norm')})"
    cols = ["category", "pairs", *result.oracles.keys(), "separated", "not separated",
            "undecided"]
    cells = [[str(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(cols)]
    lines = [head]
    for row in [cols, *cells]:
        parts = [row[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def format_pairs(result, which: str = "undecided", limit: int | None = 50) -> str:
    """The pairs with one verdict, one per line with gap and floor (at most ``limit``)."""
    items = result.pairs_with(which)
    if not items:
        return ""
    lines = [f"{which} pairs ({len(items)}):"]
    shown = items if limit is None else items[:limit]
    for name, cat, gap, floor in shown:
        lines.append(f"  {name} [{cat}]: gap {gap:.3g}, floor {floor:.3g}")
    if len(shown) < len(items):
        lines.append(f"  ... and {len(items) - len(shown)} more (--json lists all)")
    return "\n".join(lines)


def plot_results(results, path) -> None:
    """Bar chart per category: fraction of pairs each oracle and each model separates.

    Needs matplotlib (``pip install matplotlib==3.11.2`` or ``pip install -e '.[plot]'``).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise InvalidInputError(
            "--plot needs matplotlib; install it with `pip install matplotlib==3.11.2` (or "
            "`pip install -e '.[plot]'`)") from err
    import numpy as np

    results = list(results)
    if not results:
        raise InvalidInputError("nothing to plot")
    rows0 = results[0].table()
    cats = [r["category"] for r in rows0]
    series = {name: [r[name] / max(1, r["pairs"]) for r in rows0]
              for name in results[0].oracles}
    for res in results:
        rows = {r["category"]: r for r in res.table()}
        series[f"{res.model} ({res.settings.get('dtype')})"] = [
            rows[c]["separated"] / max(1, rows[c]["pairs"]) for c in cats]
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(cats) * max(1, len(series)) / 2), 4))
    x = np.arange(len(cats))
    w = 0.8 / max(1, len(series))
    for k, (name, vals) in enumerate(series.items()):
        ax.bar(x + k * w - 0.4 + w / 2, vals, w, label=name)
    ax.set_xticks(x)
    ax.set_xticklabels(cats, rotation=30, ha="right")
    ax.set_ylabel("fraction of pairs separated")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title(f"separation on {results[0].dataset.title or 'pairs'}")
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as err:
        raise InvalidInputError(f"cannot write plot {str(path)!r}: {err}") from err
    finally:
        plt.close(fig)
