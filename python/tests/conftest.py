"""Shared fixtures: the repository root, the CLI binary, and the CLI's outputs to compare with."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CKM = ROOT / "scenarios" / "ckm-tetracycline.toml"
QUICK = ROOT / "scenarios" / "quickstart.toml"


def cli_binary() -> Path:
    """`KOLSIM_BIN`, else target/release/kolsim (built by `cargo build --release` or
    `cargo test --release`)."""
    p = Path(os.environ.get("KOLSIM_BIN", ROOT / "target" / "release" / "kolsim"))
    if not p.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the kolsim binary {p} is missing: build it first (cargo build --release)")
        pytest.skip(f"the kolsim binary {p} is missing: build it first (cargo build --release)")
    return p


@pytest.fixture(scope="session")
def cli(tmp_path_factory):
    """Runs the CLI: `cli("run", scenario, *args)` → its output folder."""
    exe = cli_binary()
    base = tmp_path_factory.mktemp("cli")
    count = [0]

    def go(job, scenario, *args):
        count[0] += 1
        out = base / f"{job}-{count[0]}"
        subprocess.run([str(exe), job, str(scenario), *map(str, args), "--out", str(out), "--quiet"],
                       check=True, cwd=ROOT)
        return out

    return go
