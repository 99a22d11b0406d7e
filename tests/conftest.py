"""Shared fixtures: the bundled corpus run once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def run_cli(args: list[str]) -> tuple[int, str, str]:
    """Run `python -m pipeline ARGS` in a subprocess; (exit status, stdout, stderr)."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    code, _, err = run_cli(["themes", str(CORPUS / "survey.csv"), "--config", str(CORPUS / "survey.toml"),
                            "--out", str(out)])
    assert code == 0, err
    return out


@pytest.fixture(scope="session")
def tokenizer():
    from pipeline.tokenize import Tokenizer

    return Tokenizer()
