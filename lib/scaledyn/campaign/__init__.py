r"""``scaledyn.campaign`` — production campaigns: a temperature ladder per model and state point,
run as independent, resumable state-point jobs, summarised for the chapters.

The third layer of the package: it builds on the engine (:mod:`scaledyn.md`) and the analysis
(:mod:`scaledyn.analysis`) and neither of them imports it.

* :mod:`.settings` — what defines a campaign (:class:`Settings`: model, ladder, N, density or
  pressure, seed, run lengths in estimated τα) and the plan of each state-point :class:`Job`;
* :mod:`.store` — files: atomic JSON, the shared manifest under ``flock``, per-point locks,
  checkpoints, truncation of scratch output on resume;
* :mod:`.jobs` — one state point from lattice to ``summary.json`` (melt, equilibrate, produce,
  analyse, extend), and ``--reanalyse``;
* :mod:`.runner` — :func:`run_campaign`: the ladder on a process pool, in-process or on Dask;
* :mod:`.data` — loading the summaries as arrays (:func:`load_campaign`) and the finite-size check
  (:func:`compare_sizes`, :func:`add_small_system`);
* :mod:`.ladders` — which campaigns make each model's ladder at the matched state (the chapters'
  verdicts) and at the earlier sensitivity state (:func:`~.ladders.load_ladder`);
* :mod:`.thermostat` — does the thermostat change τα? A finished state point rerun at constant
  energy (:func:`~.thermostat.thermostat_check`; ``python -m scaledyn.campaign.thermostat``);
* :mod:`.geometry` — is ξ a length? The liquid geometry of every stored configuration of a campaign
  (:func:`~.geometry.liquid_geometry_ladder`).

Command line::

    python -m scaledyn.campaign binary3d --out data/md/binary3d --workdir runs/binary3d
    python -m scaledyn.campaign hump2d --density 0.85 --seed 2 --T 0.2 0.15 --out ... --workdir ...

Units: reduced (ε, σ, m, τ = σ√(m/ε), k_B = 1); times in τ, T in ε/k_B, k in σ⁻¹.
"""

from .data import (CampaignData, SizeComparison, add_small_system, ageing_test, combine, compare_sizes, load_campaign, pool_replicas,
                   try_load_campaign)
from .ladders import LADDERS, Ladder, load_ladder, try_load_ladder
from .jobs import analyse, reanalyse, run_job, write_summary
from .runner import run_campaign
from .settings import (DEFAULT_K, DEFAULT_LADDERS, TAU_ANCHORS, Job, Settings, estimate_tau, plan_job,
                       point_name, quick_settings)
from .store import CampaignError, atomic_write, code_version, read_json, update_manifest

__all__ = ["DEFAULT_LADDERS", "TAU_ANCHORS", "DEFAULT_K", "Settings", "quick_settings", "estimate_tau",
           "point_name", "Job", "plan_job", "run_job", "analyse", "write_summary", "reanalyse", "run_campaign",
           "CampaignError", "atomic_write", "read_json", "update_manifest", "code_version",
           "CampaignData", "load_campaign", "combine", "try_load_campaign", "SizeComparison", "compare_sizes",
           "add_small_system", "ageing_test", "pool_replicas", "Ladder", "LADDERS", "load_ladder", "try_load_ladder"]
