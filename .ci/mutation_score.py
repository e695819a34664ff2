"""Print the mutation score of `make mutate` and every mutant that survived (issue 17).

Reads mutmut's result files (mutants/**/*.meta) and counts them as mutmut does; "no tests" means
no test covers the mutated function, and counts against the score like a survivor.
Exit code 1 when the score is below MUTATION_TARGET (90 by default).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    results: dict[str, int | None] = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        results.update(json.loads(meta.read_text())["exit_code_by_key"])
    if not results:
        print("no mutation results under mutants/: run `make mutate`")
        return 1
    status = {name: _status(code) for name, code in results.items()}
    counts = Counter(status.values())
    by_module = Counter(_module(name) for name in results)
    killed_by_module = Counter(_module(name) for name, s in status.items() if s == "killed")
    for module in sorted(by_module):
        print(f"{module:<28} {killed_by_module[module]:4d} / {by_module[module]:4d} killed")
    score = 100.0 * counts["killed"] / len(results)
    print(f"\nmutants {len(results)}: " + ", ".join(f"{n} {s}" for s, n in counts.most_common()))
    print(f"score {score:.1f} % killed")
    survivors = sorted(name for name, s in status.items() if s != "killed")
    if survivors:
        print("\nnot killed (`.venv/bin/mutmut show NAME`):")
        for name in survivors:
            print(f"  {status[name]:<9} {name}")
    target = float(os.environ.get("MUTATION_TARGET", "90"))
    return 0 if score >= target else 1


def _module(name: str) -> str:
    """``crm.permissions`` of ``crm.permissions.x_f__mutmut_1`` and of a method's
    ``crm.permissions.xǁRoleRequiredMixinǁdispatch__mutmut_1``."""
    return re.split(r"\.x[_ǁ]", name, maxsplit=1)[0]


def _status(code: int | None) -> str:
    from mutmut.stats import status_by_exit_code  # mutmut's own reading of its exit codes

    return status_by_exit_code[code]


if __name__ == "__main__":
    sys.exit(main())
