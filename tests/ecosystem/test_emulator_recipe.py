"""The README's recipe for test suites in other languages: `with-emulator.sh COMMAND` starts
`connect-gitops emulator` on a free port, waits until it listens, seeds it with curl, runs the
command with the `CTP_*` variables set, and stops the emulator whatever the command's outcome."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.readme import code_block

THEIR_SUITE = """
import base64, json, os, sys, urllib.request

url = os.environ["CTP_API_URL"]
pair = f"{os.environ['CTP_CLIENT_ID']}:{os.environ['CTP_CLIENT_SECRET']}".encode()
scope = f"view_connectors:{os.environ['CTP_PROJECT_KEY']}"
token = json.load(urllib.request.urlopen(urllib.request.Request(
    os.environ["CTP_AUTH_URL"] + "/oauth/token",
    data=f"grant_type=client_credentials&scope={scope}".encode(),
    headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
)))["access_token"]
seeded = json.load(urllib.request.urlopen(urllib.request.Request(
    url + "/connectors/drafts/key=payments", headers={"Authorization": f"Bearer {token}"}
)))
with open(sys.argv[1], "w") as out:
    json.dump({"url": url, "name": seeded["name"], "region": os.environ["CTP_REGION"]}, out)
sys.exit(int(sys.argv[2]))
"""


def with_emulator(
    folder: Path, exit_code: int
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    script = folder / "with-emulator.sh"
    script.write_text(code_block("**Test suites in other languages**", "sh"), encoding="utf-8")
    suite = folder / "their_suite.py"
    suite.write_text(textwrap.dedent(THEIR_SUITE), encoding="utf-8")
    report = folder / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTP_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(
        ["bash", str(script), sys.executable, str(suite), str(report), str(exit_code)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, json.loads(report.read_text()) if report.exists() else {}


def is_listening(url: str) -> bool:
    address = urlsplit(url)
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((address.hostname or "", address.port or 0)) == 0


def test_the_suite_runs_against_a_seeded_emulator_which_is_stopped_afterwards(
    tmp_path: Path,
) -> None:
    done, seen = with_emulator(tmp_path, 0)
    assert done.returncode == 0, done.stdout + done.stderr
    assert seen["name"] == "Payments"
    assert seen["region"] == "europe-west1.gcp"
    assert seen["url"].startswith("http://127.0.0.1:")
    assert not is_listening(seen["url"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "report.json",
        "their_suite.py",
        "with-emulator.sh",
    ]


def test_a_failing_suite_fails_the_script_and_the_emulator_still_stops(tmp_path: Path) -> None:
    done, seen = with_emulator(tmp_path, 3)
    assert done.returncode == 3
    assert not is_listening(seen["url"])
