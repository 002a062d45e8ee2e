"""Side-by-side reference for BENCHMARKS.md: CyNetDiff's independent cascade on the graph kolsim reads.

Usage: python3 scripts/cynetdiff_ic.py EDGES.csv SEEDS.txt [replicates] [beta]
EDGES.csv: header `source,target`, one undirected tie per row (as written by --write-graph below).
Prints the simulation loop's time alone (CyNetDiff's own timing convention) and the mean final size.
With --write-graph N M SEED OUT_EDGES OUT_SEEDS K it writes a networkx BA graph and K seeds instead.
"""
import random
import sys
import time

import networkx as nx


def write_graph(n, m, seed, edges_path, seeds_path, k):
    g = nx.barabasi_albert_graph(n, m, seed=seed)
    with open(edges_path, "w") as f:
        f.write("source,target\n")
        for a, b in g.edges():
            f.write(f"{a},{b}\n")
    rng = random.Random(seed)
    seeds = rng.sample(range(n), k)
    with open(seeds_path, "w") as f:
        f.write("\n".join(str(s) for s in seeds) + "\n")


def main():
    if sys.argv[1] == "--write-graph":
        n, m, seed, ep, sp, k = sys.argv[2:8]
        write_graph(int(n), int(m), int(seed), ep, sp, int(k))
        return
    from cynetdiff.utils import networkx_to_ic_model

    edges, seeds_path = sys.argv[1], sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    beta = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
    t0 = time.perf_counter()
    g = nx.Graph()
    with open(edges) as f:
        next(f)
        for line in f:
            a, b = line.split(",")
            g.add_edge(int(a), int(b))
    seeds = [int(x) for x in open(seeds_path).read().split()]
    model, _ = networkx_to_ic_model(g, activation_prob=beta)
    model.set_seeds(seeds)
    t1 = time.perf_counter()
    total = 0
    for _ in range(reps):
        model.reset_model()
        model.advance_until_completion()
        total += model.get_num_activated_nodes()
    t2 = time.perf_counter()
    print(f"cynetdiff: read+convert {t1 - t0:.2f} s; simulation loop {t2 - t1:.3f} s for {reps} replicates "
          f"(one thread); mean final size {total / reps:.1f}")


if __name__ == "__main__":
    main()
