r"""State-point scans: short campaigns over a grid of densities (NVT) or pressures (NPT), to find the
state at which our system reproduces what the quasi-species paper reports about its own.

The paper (arXiv:0905.3962) gives neither model's density: the hump model's density must be
inferred from its Table II concentrations, and the binary mixture's printed p = 10 gives our
mixture more neighbours than the paper's species ranges allow. A scan is one small campaign
(:func:`~.runner.run_campaign`, N = 1024, resumable) per value of the state parameter, at a few
temperatures; the analysis that picks the state lives in :mod:`scaledyn.analysis.state_match` and
sees only the structure (concentrations), never the dynamics.

``python -m scaledyn.campaign.scans hump2d-density --out data/md/scans --workdir runs/scans`` runs
one scan; rerunning it resumes.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import CampaignData, load_campaign
from ..md._threads import threads_arg
from .runner import run_campaign
from .settings import Settings

__all__ = ["Scan", "SCANS", "SCAN_RUN", "scan_settings", "scan_folder", "run_scan", "load_scan", "ScanGrid", "grid"]


@dataclass(frozen=True)
class Scan:
    """A grid of one state parameter (``"density"`` or ``"pressure"``) at fixed temperatures."""

    model: str
    parameter: str
    values: tuple
    temperatures: tuple
    min_equil_time: float
    min_prod_time: float


#: The two scans of the state-point issue. Hump: ρ around our first choice 0.8, up to where the
#: model starts to order; temperatures below the hump barrier (≈ 1.09 ε) and in the range where the
#: paper's Table II describes the liquid; at least 1000 τ of equilibration and of production, because
#: a hump species changes only when a particle crosses the barrier (the run-length estimate is made at
#: ρ = 0.8 and would be short at higher density). Binary: p from 1 to the printed 10 at the
#: temperatures of our p = 10 supercooled ladder down to 0.35 (the estimate, made at p = 10, only
#: over-estimates τα at lower p).
SCANS = {
    "hump2d-density": Scan("hump2d", "density", (0.78, 0.80, 0.82, 0.84, 0.86, 0.88, 0.90),
                           (0.3, 0.25, 0.2, 0.17), min_equil_time=1000.0, min_prod_time=1000.0),
    "binary3d-pressure": Scan("binary3d", "pressure", (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0),
                              (0.5, 0.4, 0.35), min_equil_time=200.0, min_prod_time=300.0),
}
#: Run lengths of a scan point besides the scan's floors: N = 1024, 20 estimated τα of equilibration,
#: 30 of production (extended until it covers 20 measured τα): enough for structure, which is all a
#: scan is judged on.
SCAN_RUN = dict(n=1024, equil_tau=20.0, prod_tau=30.0, block_tau=5.0, min_tau=20.0, max_extensions=2,
                species_frames=100)


def scan_settings(name: str, value: float) -> Settings:
    """The campaign settings of scan ``name`` at parameter ``value``."""
    if name not in SCANS:
        raise ValueError(f"scan must be one of {tuple(SCANS)}, got {name!r}")
    scan = SCANS[name]
    return Settings(model=scan.model, temperatures=scan.temperatures, **{scan.parameter: float(value)},
                    min_equil_time=scan.min_equil_time, min_prod_time=scan.min_prod_time, **SCAN_RUN)


def scan_folder(root, name: str, value: float) -> Path:
    """``root/<name>/<parameter><value>``, e.g. ``data/md/scans/hump2d-density/density0.840``."""
    return Path(root) / name / f"{SCANS[name].parameter}{float(value):.3f}"


def run_scan(name: str, out, workdir, *, values=None, workers=None, threads=None, log=print) -> dict:
    """Run (or resume) scan ``name``: one campaign per value; returns ``{value: report}``."""
    values = SCANS[name].values if values is None else tuple(values)
    reports = {}
    for v in values:
        settings = scan_settings(name, v)
        reports[v] = run_campaign(settings, scan_folder(out, name, v), scan_folder(workdir, name, v),
                                  workers=workers, threads=threads, log=log,
                                  command=f"python -m scaledyn.campaign.scans {name} --values {v:g}")
    return reports


def load_scan(name: str, root) -> dict[float, CampaignData]:
    """The finished points of scan ``name`` under ``root``: ``{value: CampaignData}`` (values with no
    finished point are left out)."""
    if name not in SCANS:
        raise ValueError(f"scan must be one of {tuple(SCANS)}, got {name!r}")
    out = {}
    for v in SCANS[name].values:
        folder = scan_folder(root, name, v)
        if any(folder.glob("T*/summary.json")):
            out[v] = load_campaign(folder, model=SCANS[name].model)
    return out


@dataclass(frozen=True)
class ScanGrid:
    """A scan as arrays over (value, temperature): ``x`` (the parameter values, ascending), ``T``
    (ascending), ``C``/``C_err`` (n_x, n_T, n_species) of the species ``labels``, ``other``
    (n_x, n_T, the fraction outside them), ``density`` and ``tau_alpha`` (n_x, n_T)."""

    x: np.ndarray
    T: np.ndarray
    labels: tuple
    C: np.ndarray
    C_err: np.ndarray
    other: np.ndarray
    density: np.ndarray
    tau_alpha: np.ndarray


def grid(scan: dict, labels) -> ScanGrid:
    """The finished values of a loaded scan (:func:`load_scan`) that hold every temperature of the
    scan, as a :class:`ScanGrid` of the species ``labels`` (their "other" is everything else)."""
    labels = tuple(labels)
    if not scan:
        raise ValueError("the scan has no finished value yet")
    temps = max((tuple(d.T) for d in scan.values()), key=len)
    full = {v: d for v, d in sorted(scan.items()) if tuple(d.T) == temps}
    if not full:
        raise ValueError("no value of the scan has finished every temperature")
    C = np.array([d.concentrations(labels)[0] for d in full.values()])
    E = np.array([d.concentrations(labels)[1] for d in full.values()])
    return ScanGrid(x=np.array(list(full)), T=np.array(temps), labels=labels, C=C, C_err=E,
                    other=1.0 - C.sum(axis=2), density=np.array([d.density for d in full.values()]),
                    tau_alpha=np.array([d.tau_alpha for d in full.values()]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scaledyn.campaign.scans", description=__doc__.splitlines()[0])
    ap.add_argument("scan", choices=tuple(SCANS))
    ap.add_argument("--out", type=Path, default=Path("data/md/scans"))
    ap.add_argument("--workdir", type=Path, default=Path("runs/scans"))
    ap.add_argument("--values", type=float, nargs="+", default=None, help="a subset of the scan's values")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--threads", type=threads_arg, default="auto", help="Numba threads per job, or 'auto'")
    args = ap.parse_args(argv)
    unknown = set(args.values or ()) - set(SCANS[args.scan].values)
    if unknown:
        raise SystemExit(f"error: --values {sorted(unknown)} are not values of {args.scan}: {SCANS[args.scan].values}")
    reports = run_scan(args.scan, args.out, args.workdir, values=args.values, workers=args.workers,
                       threads=args.threads)
    failed = [v for v, r in reports.items() if r["failed"]]
    print(f"scan {args.scan}: {len(reports)} values" + (f", failures at {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
