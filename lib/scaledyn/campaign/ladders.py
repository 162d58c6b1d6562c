r"""Which committed campaigns (``data/md/<folder>``) make up each model's temperature ladder.

The book runs each model at two state points:

* **matched** — the state chosen by chapter 5's scans so that the paper's own species concentrations
  (hump2d, Table II) or species ranges (binary3d) are reproduced: hump2d at ρ = 0.824, binary3d at
  p = 2.55. The chapters' verdicts on the paper rest on these ladders.
* **sensitivity** — the earlier state points (hump2d at ρ = 0.8, binary3d at the printed p = 10),
  kept as a documented sensitivity study of how much the state point changes the results.

A :class:`Ladder` names the main campaign (N = 4096), optional colder extensions at the same N and
state (run later, combined by temperature), an optional smaller-N companion that supplies the slowest
points only once the finite-size check passes (:func:`~.data.add_small_system`), and the replica
campaigns (own seed and melt) at the coldest temperatures. :func:`load_ladder` assembles it; a folder
that does not exist yet (a campaign still running) is skipped, so the chapters always show what has
finished.
"""

from __future__ import annotations

from dataclasses import dataclass

from .data import CampaignData, add_small_system, combine, load_campaign, relative_reason

__all__ = ["Ladder", "LADDERS", "DEFAULT_STATE", "STATES", "ladder", "load_ladder", "try_load_ladder",
           "folder_status", "folder_progress", "ladder_progress", "load_replicas"]

#: The state whose ladders carry the chapters' verdicts.
DEFAULT_STATE = "matched"
STATES = ("matched", "sensitivity")


@dataclass(frozen=True)
class Ladder:
    """The campaigns (folder names under ``data/md/``) of one model at one state point.

    ``label`` is the state in words for figure legends (e.g. ``"ρ = 0.824"``); ``colder`` are
    extensions at the same N and state (at a temperature in several, the first listed wins: a later
    folder that reruns a point with a longer equilibration goes first); ``small`` is the smaller-N companion; ``replicas`` are the
    replica campaigns at the coldest temperatures (pooled by the chapters, not by :func:`load_ladder`).
    """

    model: str
    state: str
    label: str
    main: str
    colder: tuple[str, ...] = ()
    small: str | None = None
    replicas: tuple[str, ...] = ()

    @property
    def folders(self) -> tuple[str, ...]:
        """Every campaign folder of the ladder, main first."""
        return (self.main, *self.colder, *((self.small,) if self.small else ()), *self.replicas)


LADDERS = {
    ("hump2d", "matched"): Ladder(
        "hump2d", "matched", "ρ = 0.824", "hump2d-rho0.824", small="hump2d-rho0.824-n1024",
        replicas=tuple(f"hump2d-rho0.824-seed{s}" for s in (2, 3, 4))),
    ("binary3d", "matched"): Ladder(
        "binary3d", "matched", "p = 2.55", "binary3d-p2.55", colder=("binary3d-p2.55-cold2", "binary3d-p2.55-cold"),
        replicas=tuple(f"binary3d-p2.55-seed{s}" for s in (2, 3, 4))),
    ("hump2d", "sensitivity"): Ladder("hump2d", "sensitivity", "ρ = 0.8", "hump2d"),
    ("binary3d", "sensitivity"): Ladder("binary3d", "sensitivity", "p = 10", "binary3d",
                                        small="binary3d-n1024"),
}


def ladder(model: str, state: str = DEFAULT_STATE) -> Ladder:
    """The :class:`Ladder` of ``model`` at ``state``; ``ValueError`` names an unknown model or state."""
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}; expected one of {STATES}")
    if (model, state) not in LADDERS:
        known = sorted({m for m, _ in LADDERS})
        raise ValueError(f"unknown model {model!r}; expected one of {known}")
    return LADDERS[model, state]


def _exists(root, name: str) -> bool:
    return (root / name).is_dir() and any((root / name).glob("T*/summary.json"))


def load_ladder(model: str, state: str = DEFAULT_STATE, *, small_n: bool = True, root=None
                ) -> tuple[CampaignData, str]:
    """``(data, status)``: the main campaign of :func:`ladder` ``(model, state)`` plus its finished
    colder extensions (:func:`~.data.combine`) and, with ``small_n``, the colder points of the
    smaller-N companion once it has passed the finite-size check (:func:`~.data.add_small_system`).
    ``status`` says which folders were used. ``root`` defaults to the book's ``data/md``.

    Raises ``FileNotFoundError`` if the main campaign has no finished point, ``ValueError`` if a
    folder holds another model or a campaign that cannot be combined with the main one.
    """
    from .. import data_path

    lad = ladder(model, state)
    root = data_path("md") if root is None else root
    data = load_campaign(root / lad.main, model=model)
    used = [lad.main]
    for name in lad.colder:
        if _exists(root, name):
            data = combine(data, load_campaign(root / name, model=model))
            used.append(name)
    status = "campaigns used: " + ", ".join(used)
    if small_n and lad.small and _exists(root, lad.small):
        data, _, size_status = add_small_system(data, load_campaign(root / lad.small, model=model))
        status += f"; {lad.small}: {size_status}"
    return data, status


def try_load_ladder(model: str, state: str = DEFAULT_STATE, *, small_n: bool = True, root=None
                    ) -> tuple[CampaignData | None, str | None]:
    """``(data, None)``, or ``(None, reason)`` when :func:`load_ladder` fails — for chapters that
    degrade gracefully without data. The reason names folders relative to the repository."""
    try:
        return load_ladder(model, state, small_n=small_n, root=root)[0], None
    except (FileNotFoundError, ValueError) as exc:
        return None, relative_reason(exc)


def folder_status(model: str, state: str = DEFAULT_STATE, *, root=None) -> dict:
    """``{folder: True/False}`` for every campaign folder of the ladder (:attr:`Ladder.folders`, main
    first): True when it holds at least one finished state point. ``root`` defaults to ``data/md``."""
    from .. import data_path

    root = data_path("md") if root is None else root
    return {name: _exists(root, name) for name in ladder(model, state).folders}


def folder_progress(name: str, *, root=None) -> tuple[list, list]:
    """``(finished, pending)``: the temperatures of campaign folder ``name`` (under ``root``, default
    ``data/md``) with a committed summary, and those its manifest plans without one yet (a manifest
    copied while the campaign runs; no manifest: nothing pending). Both sorted from hot to cold.
    ``ValueError`` names a manifest without its planned temperatures."""
    from .. import data_path
    from .store import read_json

    folder = (data_path("md") if root is None else root) / name
    finished = sorted({round(float(p.parent.name[1:]), 6) for p in folder.glob("T*/summary.json")}, reverse=True)
    planned = []
    if (folder / "manifest.json").exists():
        settings = read_json(folder / "manifest.json", ("settings",))["settings"]
        if not isinstance(settings, dict) or "temperatures" not in settings:
            raise ValueError(f"{folder / 'manifest.json'}: settings hold no planned temperatures")
        planned = [round(float(t), 6) for t in settings["temperatures"]]
    pending = sorted(set(planned) - set(finished), reverse=True)
    return finished, pending


def ladder_progress(model: str, state: str = DEFAULT_STATE, *, colder_only: bool = False, root=None
                    ) -> tuple[list, list]:
    """:func:`folder_progress` over the main campaign (unless ``colder_only``) and the colder
    extensions of the ladder: ``(finished, pending)`` temperatures, a temperature planned in one
    folder and finished in another counting as finished."""
    lad = ladder(model, state)
    finished, planned = set(), set()
    for name in ((() if colder_only else (lad.main,)) + lad.colder):
        done, pending = folder_progress(name, root=root)
        finished |= set(done)
        planned |= set(pending)
    return sorted(finished, reverse=True), sorted(planned - finished, reverse=True)


def load_replicas(model: str, state: str = DEFAULT_STATE, *, root=None) -> list:
    """The replica campaigns of the ladder that have finished points, as :class:`~.data.CampaignData`
    (an empty list before the first one lands); pool them with :func:`~.data.pool_replicas` or test
    them with :func:`~.data.ageing_test`."""
    from .. import data_path

    root = data_path("md") if root is None else root
    return [load_campaign(root / name, model=model) for name in ladder(model, state).replicas if _exists(root, name)]
