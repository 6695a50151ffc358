"""Time to derive, prove and export every symbolic derivation from scratch (issue 3: all under 30 s).

Run: python benchmarks/bench_derive.py
Each derivation is built in a fresh interpreter state (caches cleared); the figure is the wall time of
building + sympy proving every step + writing the LaTeX document, and it does not depend on the
network width (each neuron's block is derived once).
"""

import time


def main():
    t0 = time.perf_counter()
    import sympy  # noqa: F401
    t_import = time.perf_counter() - t0
    from flatproof.derivations import _BUILDERS, get_derivation, names
    from flatproof.derivations.orbit import orbit_minimum
    from flatproof.derive import document
    orbit_minimum.cache_clear()
    for b in _BUILDERS.values():
        b.cache_clear()
    rows, total = [], time.perf_counter()
    for name in names():
        t = time.perf_counter()
        d = get_derivation(name)
        built = time.perf_counter() - t
        reports = d.verify()
        rows.append((name, built, time.perf_counter() - t - built, sum(r.proved is True for r in reports),
                     sum(r.proved is None for r in reports)))
    t = time.perf_counter()
    document([get_derivation(nm) for nm in names()])
    export = time.perf_counter() - t
    elapsed = time.perf_counter() - total
    print(f"{'derivation':24s} {'build s':>8s} {'prove s':>8s} {'proved':>7s} {'cited':>6s}")
    for name, b, p, n_p, n_c in rows:
        print(f"{name:24s} {b:8.2f} {p:8.2f} {n_p:7d} {n_c:6d}")
    print(f"export (re-proves every step, writes LaTeX): {export:.2f} s")
    print(f"total: {elapsed:.2f} s (sympy import {t_import:.2f} s not included); target < 30 s")


if __name__ == "__main__":
    main()
