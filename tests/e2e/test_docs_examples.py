"""docs/planning.md's first example runs as written, in order, on a fresh SQLite database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]

ROOT = Path(__file__).parents[2]


def test_the_planning_guides_example_runs_in_order(tmp_path: Path) -> None:
    block = re.search(r"```sh\n(.*?)```", (ROOT / "docs" / "planning.md").read_text(), flags=re.S)
    assert block, "docs/planning.md lost its example"
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    env = {key: value for key, value in os.environ.items() if not key.startswith("INDEN_")}
    env["PATH"] = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"
    env["INDEN_DEFAULT_LOCALE"] = "en"
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block.group(1)], cwd=tmp_path, env=env,
                          text=True, capture_output=True, timeout=540, check=False)
    assert done.returncode == 0, f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    with create_engine(f"sqlite:///{tmp_path / 'inden.db'}").connect() as db:
        assert db.execute(text("SELECT count(*) FROM purchase_orders")).scalar_one() == 1  # the approved one
