"""Train an exactly S_n-invariant network and a plain MLP of similar size on random graphs.

Task: given the adjacency matrix of a random graph on n nodes (an element of
(R^n)^{(x)2}, on which S_n acts by relabelling the nodes), decide whether some node has
degree >= a threshold (chosen so that the classes are about balanced). The answer does not
depend on the node labelling.

Models:
* equivariant: EquivariantLinear (R^n)^{(x)2} -> R^n, ReLU, R^n -> R^n, ReLU, sum pooling over
  the nodes, a linear head (equiact.nn.EquivariantNetwork);
* MLP: flatten the adjacency matrix, one hidden layer, width chosen to match the parameter count.

Reported: parameter counts, test accuracy, accuracy on node-relabelled test graphs, and the
invariance error max |f(P A P^T) - f(A)| over random permutations P, in float64.

    python examples/train_invariant.py            # < 1 minute on a 2-core CPU
    python examples/train_invariant.py --compile  # also run the model through torch.compile
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from equiact.cli.threads import add_threads_argument, apply_threads
from equiact.nn import EquivariantNetwork
from equiact.spaces import sn_tensor_space


def make_graphs(count: int, n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    upper = np.triu(rng.random((count, n, n)) < p, 1)
    return (upper | upper.transpose(0, 2, 1)).astype(np.float32)


def choose_threshold(adj: np.ndarray) -> int:
    """The degree threshold giving the most balanced classes."""
    max_deg = adj.sum(-1).max(-1)
    return int(min(range(1, adj.shape[-1]), key=lambda t: abs((max_deg >= t).mean() - 0.5)))


def labels(adj: np.ndarray, threshold: int) -> np.ndarray:
    return (adj.sum(-1).max(-1) >= threshold).astype(np.int64)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def build_models(n: int, width: int):
    t2, t1 = sn_tensor_space(n, 2), sn_tensor_space(n, 1)
    equivariant = EquivariantNetwork([t2, t1, t1], [1, width, width], "relu",
                                     final_activation=True, pool="sum", out_features=2)
    target = count_parameters(equivariant)
    hidden = max(1, round((target - 2) / (n * n + 3)))
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(n * n, hidden), nn.ReLU(), nn.Linear(hidden, 2))
    return equivariant, mlp


def to_input(adj: np.ndarray) -> torch.Tensor:
    """Centred entries (+-1/2; an invariant shift), layout (batch, channels=1, |X| = n^2)."""
    x = torch.as_tensor(adj - 0.5)
    return x.reshape(x.shape[0], 1, -1)


def train(model, x, y, epochs, batch, lr, seed, desc):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    bar = tqdm(range(epochs), desc=desc, leave=False)
    for _ in bar:
        perm = torch.randperm(x.shape[0])
        total = 0.0
        for i in range(0, x.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * idx.numel()
        bar.set_postfix(loss=f"{total / x.shape[0]:.3f}")
    return model


@torch.no_grad()
def accuracy(model, x, y) -> float:
    return float((model(x).argmax(-1) == y).float().mean())


@torch.no_grad()
def invariance_error(model, adj: np.ndarray, rng: np.random.Generator, trials: int) -> float:
    """max |f(P A P^T) - f(A)| over random node permutations, in float64."""
    import copy

    m64 = copy.deepcopy(model).double()
    a = torch.as_tensor(adj - 0.5, dtype=torch.float64)
    base = m64(a.reshape(a.shape[0], 1, -1))
    worst = 0.0
    for _ in range(trials):
        p = torch.as_tensor(rng.permutation(a.shape[-1]))
        ap = a[:, p][:, :, p]
        worst = max(worst, float((m64(ap.reshape(a.shape[0], 1, -1)) - base).abs().max()))
    return worst


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="nodes per graph (default 10)")
    parser.add_argument("--p", type=float, default=0.4, help="edge probability (default 0.4)")
    parser.add_argument("--train", type=int, default=1000, help="training graphs (default 1000)")
    parser.add_argument("--test", type=int, default=2000, help="test graphs (default 2000)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--width", type=int, default=16, help="equivariant channels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compile", action="store_true",
                        help="also check torch.compile (inductor) on the trained model")
    add_threads_argument(parser)
    args = parser.parse_args(argv)
    apply_threads(args)
    for name, lo in (("n", 2), ("train", 1), ("test", 1), ("epochs", 1), ("batch", 1),
                     ("width", 1)):
        if getattr(args, name) < lo:
            parser.error(f"--{name} = {getattr(args, name)}; give an integer >= {lo}")
    if not 0.0 <= args.p <= 1.0:
        parser.error(f"--p = {args.p}; an edge probability must lie in [0, 1]")

    start = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    adj_train = make_graphs(args.train, args.n, args.p, rng)
    adj_test = make_graphs(args.test, args.n, args.p, rng)
    threshold = choose_threshold(adj_train)
    y_train = torch.as_tensor(labels(adj_train, threshold))
    y_test = torch.as_tensor(labels(adj_test, threshold))
    perm = rng.permutation(args.n)
    adj_test_perm = adj_test[:, perm][:, :, perm]

    torch.manual_seed(args.seed)
    equivariant, mlp = build_models(args.n, args.width)
    print(f"task: max degree >= {threshold} on G({args.n}, {args.p}); positives: train "
          f"{y_train.float().mean():.2f}, test {y_test.float().mean():.2f}")
    results = {}
    for name, model in (("equivariant", equivariant), ("mlp", mlp)):
        x_train = to_input(adj_train)
        x_test = to_input(adj_test)
        train(model, x_train, y_train, args.epochs, args.batch, args.lr, args.seed, name)
        results[name] = {
            "parameters": count_parameters(model),
            "test_accuracy": accuracy(model, x_test, y_test),
            "relabelled_test_accuracy": accuracy(model, to_input(adj_test_perm), y_test),
            "invariance_error": invariance_error(model, adj_test[:200], rng, trials=10),
        }
    print(f"{'model':<12} {'params':>7} {'test acc':>9} {'relabelled':>11} "
          f"{'max |f(PAP^T) - f(A)| (float64)':>33}")
    for name, r in results.items():
        print(f"{name:<12} {r['parameters']:7d} {r['test_accuracy']:9.3f} "
              f"{r['relabelled_test_accuracy']:11.3f} {r['invariance_error']:33.2e}")
    if args.compile:
        t0 = time.perf_counter()
        compiled = torch.compile(equivariant)
        x = to_input(adj_test[:64])
        with torch.no_grad():
            err = float((compiled(x) - equivariant(x)).abs().max())
        print(f"torch.compile (inductor): max |compiled - eager| = {err:.2e} "
              f"({time.perf_counter() - t0:.1f} s to compile and run)")
        results["compile_error"] = err
    print(f"total time {time.perf_counter() - start:.1f} s")
    return results


if __name__ == "__main__":
    main()
