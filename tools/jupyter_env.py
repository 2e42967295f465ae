"""What a Python environment has for nn-kernel, and whether pip may install
into it. install.sh and tests/run.sh run this file with the environment's own
interpreter and `eval` what it prints (shell assignments, quoted).

    python tools/jupyter_env.py probe [--notebooks]
        py_executable, py_version   the interpreter
        env_kind                    venv | conda | user | own | other | system
        env_writable                1 when pip may install into it
        env_pip_args                "--user" for a user site, else empty
        env_why                     why it is (not) writable, in words
        env_scripts                 where its console scripts (jupyter) are
        missing                     pip requirements install.sh needs that
                                    are absent or too old (space-separated)
        missing_words               the same, in words

    python tools/jupyter_env.py missing REQUIREMENTS.txt
        missing                     the lines of REQUIREMENTS.txt not satisfied

Runs on Python 3.9+ with the standard library only: it must work in any
environment before anything is installed into it.
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import os
import re
import shlex
import site
import sys
import sysconfig

# What install.sh uses. nbconvert 7.14 added CoalesceStreamsPreprocessor,
# which the course pages are rendered with; nbconvert brings nbclient.
KERNELSPECS = ("jupyter_client", "jupyter_client>=7")
PAGES = (("nbconvert", "nbconvert>=7.14"), ("nbclient", "nbclient>=0.7"))
# For the closing hint: JupyterLab, or else Notebook, is enough.
FRONTENDS = ("jupyterlab", "notebook")


def version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split("."):
        digits = re.match(r"\d+", part)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def satisfied(requirement: str) -> bool:
    """`name` or `name>=version` (the only forms this project writes)."""
    name, _, minimum = requirement.partition(">=")
    try:
        installed = metadata.version(name.strip())
    except metadata.PackageNotFoundError:
        return False
    return not minimum or version_tuple(installed) >= version_tuple(minimum.strip())


def missing_pieces(notebooks: bool) -> tuple[list[str], list[str]]:
    """(pip requirements, the same in words) that install.sh needs."""
    needed, words = [], []
    if not satisfied(KERNELSPECS[1]):
        needed.append(KERNELSPECS[1])
        words.append("jupyter_client")
    if notebooks:
        for name, requirement in PAGES:
            if not satisfied(requirement):
                needed.append(requirement)
                words.append(f"{name} {requirement.partition('>=')[2]} or newer")
    if not any(satisfied(name) for name in FRONTENDS):
        needed.append("jupyterlab")
        words.append("JupyterLab (or Notebook)")
    return needed, words


def in_user_site() -> bool:
    """Jupyter itself (jupyter_core) comes from the user site (pip --user)."""
    spec = importlib.util.find_spec("jupyter_core")
    if spec is None or spec.origin is None or not site.ENABLE_USER_SITE:
        return False
    return os.path.realpath(spec.origin).startswith(os.path.realpath(site.getusersitepackages()))


def externally_managed() -> bool:
    """PEP 668: the distribution manages this Python; pip may not change it
    (nor its user site)."""
    return os.path.isfile(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))


def writable(path: str) -> bool:
    """`path`, or the nearest folder above it that exists, is writable."""
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return os.access(path, os.W_OK)


def where() -> dict[str, str]:
    """What kind of environment this is, and whether pip may install into it."""
    prefix = sys.prefix
    has_pip = importlib.util.find_spec("pip") is not None
    if sys.prefix != sys.base_prefix:
        kind, what = "venv", f"a virtual environment ({prefix})"
    elif os.path.isdir(os.path.join(prefix, "conda-meta")):
        kind, what = "conda", f"a conda environment ({prefix})"
    elif in_user_site():
        kind, what = "user", f"your user site-packages ({site.getusersitepackages()})"
    elif prefix == "/usr" or externally_managed():
        kind, what = "system", f"the system's Python ({prefix})"
    elif owned_by_me(prefix):
        kind, what = "own", f"a Python installation you own ({prefix})"
    else:
        kind, what = "other", f"a Python installation ({prefix}) you do not own"

    scheme = f"{os.name}_user" if kind == "user" else None
    scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
    target = sysconfig.get_path("purelib", scheme) if scheme else sysconfig.get_path("purelib")

    if kind in ("user", "system") and externally_managed():
        ok, why = False, f"it is {what}, which your distribution manages (PEP 668): pip may not change it"
    elif kind == "system":
        ok, why = False, f"it is {what}: pip must not change a distribution's Python"
    elif not writable(target):
        ok, why = False, f"it is {what}, and you cannot write to {target}"
    elif not has_pip:
        ok, why = False, f"it is {what} without pip"
    else:
        ok, why = True, f"it is {what} that pip may install into"
    return {
        "env_kind": kind,
        "env_writable": "1" if ok else "0",
        "env_pip_args": "--user" if kind == "user" else "",
        "env_why": why,
        "env_scripts": scripts,
    }


def owned_by_me(path: str) -> bool:
    try:
        return os.stat(path).st_uid == os.getuid()
    except (OSError, AttributeError):
        return False


def emit(values: dict[str, str]) -> None:
    for name, value in values.items():
        print(f"{name}={shlex.quote(value)}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["probe"]:
        needed, words = missing_pieces(notebooks="--notebooks" in argv[1:])
        emit(
            {
                "py_executable": sys.executable,
                "py_version": "%d.%d" % sys.version_info[:2],
                **where(),
                "missing": " ".join(needed),
                "missing_words": ", ".join(words),
            }
        )
        return 0
    if argv[:1] == ["missing"] and len(argv) == 2:
        with open(argv[1]) as f:
            lines = [line.split("#", 1)[0].strip() for line in f]
        emit({"missing": " ".join(line for line in lines if line and not satisfied(line))})
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
