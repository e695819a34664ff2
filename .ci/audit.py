"""Known vulnerabilities in the packages that are installed (pip-audit), for .ci/run and `make audit`.

The requirements are ranges, so this audits the virtualenv's `pip freeze`: the versions that run.
pip-audit asks a vulnerability service, PyPI's JSON API first, then OSV. Where a service cannot be
reached it may still print "No known vulnerabilities found" and exit 0 with every package skipped
(PyPI answering 404 for each release): so the packages really audited are counted, and none
audited means the service was not reached.

Exit status: 0 audited and clean, or not reached and CRM_AUDIT_UNREACHABLE=warn; 1 a known
vulnerability (always a failure); 3 no service reached and CRM_AUDIT_UNREACHABLE=fail.
CRM_AUDIT_UNREACHABLE defaults to `fail` under CRM_REQUIRE_SERVICES=1 and to `warn` otherwise.
CRM_AUDIT_OSV_URL points the OSV query at a mirror (default https://api.osv.dev/v1/query).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SERVICES = ("pypi", "osv")
TRUE_WORDS = {"1", "true", "yes", "on"}


def freeze(folder: Path) -> Path:
    """The installed distributions as pinned requirements (the project itself is not installed)."""
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pinned = [line for line in frozen.splitlines() if "==" in line]  # not `name @ file://…` builds
    path = folder / "installed.txt"
    path.write_text("\n".join(pinned) + "\n")
    return path


def audit(requirements: Path, service: str, folder: Path) -> list[dict] | None:
    """pip-audit's findings per package, or None when the service could not be asked at all."""
    report = folder / f"{service}.json"
    command = [sys.executable, "-m", "pip_audit", "-r", str(requirements), "--no-deps", "--disable-pip"]
    command += ["-s", service, "--timeout", "30", "--progress-spinner", "off", "-f", "json", "-o", str(report)]
    if service == "osv" and os.environ.get("CRM_AUDIT_OSV_URL"):
        command += ["--osv-url", os.environ["CRM_AUDIT_OSV_URL"]]  # an OSV mirror
    finished = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if not report.exists():  # a connection error: pip-audit wrote no report
        last_line = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit could not reach {service}: {last_line}")
        return None
    return json.loads(report.read_text())["dependencies"]


def main() -> int:
    require = os.environ.get("CRM_REQUIRE_SERVICES", "").strip().lower() in TRUE_WORDS
    on_unreachable = os.environ.get("CRM_AUDIT_UNREACHABLE") or ("fail" if require else "warn")
    with tempfile.TemporaryDirectory(prefix="crm-audit-") as temporary:
        folder = Path(temporary)
        requirements = freeze(folder)
        total = len(requirements.read_text().split())
        for service in SERVICES:
            found = audit(requirements, service, folder)
            if found is None:
                continue
            audited = [package for package in found if "skip_reason" not in package]
            if not audited:
                print(f"pip-audit: {service} answered for none of the {total} packages ({found[0]['skip_reason']})")
                continue
            return report(service, audited, skipped=[p for p in found if "skip_reason" in p])
    print("=" * 100)
    print(f"NOT AUDITED: no vulnerability service ({', '.join(SERVICES)}) could be reached from this machine.")
    print("The installed packages were NOT checked for known vulnerabilities.")
    print("=" * 100)
    if on_unreachable == "fail":
        print("Failing (CRM_AUDIT_UNREACHABLE=fail; the default under CRM_REQUIRE_SERVICES=1).")
        return 3
    print("Not failing the run: CRM_AUDIT_UNREACHABLE=warn.")
    return 0


def report(service: str, audited: list[dict], *, skipped: list[dict]) -> int:
    vulnerable = [package for package in audited if package["vulns"]]
    for package in vulnerable:
        for vulnerability in package["vulns"]:
            fixes = ", ".join(vulnerability["fix_versions"]) or "no fix yet"
            print(f"VULNERABLE {package['name']} {package['version']}: {vulnerability['id']} (fixed in {fixes})")
    for package in skipped:
        print(f"not audited: {package['skip_reason']}")
    print(f"pip-audit ({service}): {len(audited)} packages audited, {len(vulnerable)} with known vulnerabilities.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
