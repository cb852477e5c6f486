"""The README runs as written: every shell block of its "Use it" section, in order, in one shell, on a fresh
SQLite database, exits 0 and leaves the shop in the state the text describes.

Three things are adapted for a test machine, and only these: the port 8000 becomes a free one, `.venv` is the
environment running pytest (the README's first command made it), and `inden worker` — which runs until
stopped — is left out; so nothing leaves this machine (the SMTP and webhook hosts are never contacted)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import _free_port

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]

ROOT = Path(__file__).parents[2]


def use_it_script() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Use it\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 4, "the Use it section lost its shell blocks"
    lines = [line for block in blocks for line in block.splitlines()
             if not line.lstrip().startswith("inden worker")]
    return "\n".join(lines) + "\n"


def test_every_use_it_command_runs_in_order_on_a_fresh_database(tmp_path: Path) -> None:
    script = use_it_script().replace("8000", str(_free_port()))
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    env = {key: value for key, value in os.environ.items() if not key.startswith("INDEN_")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # `inden` reaches PATH only the README's way
    shell = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = shell.communicate(timeout=540)
    finally:
        with suppress(ProcessLookupError):  # the server the README started in the background, if still up
            os.killpg(shell.pid, signal.SIGTERM)
    assert shell.returncode == 0, f"stdout:\n{stdout[-4000:]}\nstderr:\n{stderr[-4000:]}"

    assert "KOPI-GAYO-250" in (tmp_path / "plan.csv").read_text()
    assert (tmp_path / "simulation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with create_engine(f"sqlite:///{tmp_path / 'inden.db'}").connect() as db:
        status = {row.id: row.status for row in db.execute(text("SELECT id, status FROM orders"))}
        assert status[1] == "allocated"  # Siti waited; the receipt served her
        assert status[2] == "shipped"
        assert status[3] == "cancelled"
        assert db.execute(text("SELECT count(*) FROM purchase_orders")).scalar_one() == 2  # by hand + approved
        preorder = db.execute(text(
            "SELECT l.allocated FROM order_lines l JOIN orders o ON o.id = l.order_id "
            "WHERE o.customer_email = 'rina@contoh.id'")).scalar_one()
        assert preorder == 1  # the launch served the pre-order
