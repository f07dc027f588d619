"""pyproject.toml, environment.yml and the hash lock agree; import stays light."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip())[0].lower()


def test_environment_yml_matches_pyproject_and_lock():
    pp = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = pp["dependencies"] + [d for extra in pp["optional-dependencies"].values() for d in extra]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert sorted(_name(d) for d in deps) == sorted(_name(p) for p in pip)
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    for p in pip:
        name, version = p.split("==")
        assert re.search(rf"^{re.escape(name.lower())}=={re.escape(version)} \\", lock, re.M), p


def test_lock_has_hashes_and_a_safe_litellm():
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    pins = re.findall(r"^([a-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:", lock, re.M)
    assert len(pins) > 50
    litellm = dict(pins)["litellm"]
    assert litellm not in {"1.82.7", "1.82.8"}  # compromised releases
    assert "!=1.82.7" in (ROOT / "pyproject.toml").read_text()


def test_import_is_fast_and_lazy():
    code = (
        "import sys, time; t = time.perf_counter(); import backfire; "
        "dt = time.perf_counter() - t; "
        "heavy = [m for m in ('litellm', 'pandas', 'xllamacpp', 'numpy', 'pydantic') if m in sys.modules]; "
        "print(dt, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dt, heavy = out.stdout.split(" ", 1)
    assert heavy.strip() == "[]"
    assert float(dt) < 0.5
