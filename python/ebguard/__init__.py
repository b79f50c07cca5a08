"""ebguard: stops Elastic Beanstalk deployments from breaking databases.

The wheel installs the `ebguard` executable; this package only finds it, for
`python -m ebguard` and for tools that want its path.

The executable lands in the scripts directory of the environment the wheel is installed into
(`bin/` of a virtualenv, `~/.local/bin` for `pip install --user`, `<target>/bin` for
`pip install --target`), which is not always on PATH. It is found the way ruff's
`python/ruff/__main__.py` finds its own (astral-sh/ruff, `find_ruff_bin`): the install
scheme's scripts directory, then the user scheme's, then `bin/` beside the package root.
"""

import os
import sys
import sysconfig


def _user_scheme() -> str:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and getattr(sys, "_framework", None):
        return "osx_framework_user"
    return "posix_user"


def find_ebguard_bin() -> str:
    """The path of the installed `ebguard` executable; FileNotFoundError if there is none."""
    exe = "ebguard" + (sysconfig.get_config_var("EXE") or "")
    candidates = [
        os.path.join(sysconfig.get_path("scripts"), exe),
        os.path.join(sysconfig.get_path("scripts", scheme=_user_scheme()), exe),
        # `pip install --target DIR` puts scripts in DIR/bin, beside the package.
        os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin", exe),
    ]
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        "the ebguard executable is not installed beside this package; looked in: "
        + ", ".join(candidates)
    )
