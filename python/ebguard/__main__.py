"""`python -m ebguard ARGS...`: run the `ebguard` executable that came with this package."""

import os
import sys

from ebguard import find_ebguard_bin


def main() -> None:
    try:
        ebguard = os.fsdecode(find_ebguard_bin())
    except FileNotFoundError as err:
        print(f"ebguard: {err}", file=sys.stderr)
        sys.exit(127)
    if sys.platform == "win32":
        # No exec on Windows: wait for the child and pass its exit code on.
        import subprocess

        sys.exit(subprocess.run([ebguard, *sys.argv[1:]]).returncode)
    # Replacing this process keeps signals (SIGTERM from EB's hook timeout) and the exit code
    # exactly ebguard's.
    os.execv(ebguard, [ebguard, *sys.argv[1:]])


if __name__ == "__main__":
    main()
