"""Shared fixtures: the bundled corpus run once per test session, and the command line run
in-process (fast) or, for the few end-to-end checks marked `cli`, in a subprocess."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def run_cli(args: list[str]) -> tuple[int, str, str]:
    """`python -m pipeline ARGS` in this process: (exit status, stdout, stderr). An internal
    error (a bug, exit status 1) raises, as it would print a traceback."""
    from pipeline import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(args)
        except SystemExit as e:  # argparse's --help
            code = e.code if isinstance(e.code, int) else 0
    return code, out.getvalue(), err.getvalue()


def run_cli_subprocess(args: list[str]) -> tuple[int, str, str]:
    """`python -m pipeline ARGS` in a subprocess: the real entry point, exit status and streams."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


def output_texts(out: Path) -> dict[str, str]:
    """The text of every file in an output folder, by relative path (.xlsx: its XML parts;
    PNG pictures and TrueType fonts hold no text)."""
    import zipfile

    texts = {}
    for path in sorted(out.rglob("*")):
        rel = str(path.relative_to(out))
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                texts[rel] = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
        elif path.is_file() and path.suffix not in (".png", ".ttf"):
            texts[rel] = path.read_text(encoding="utf-8-sig")
    return texts


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    code, _, err = run_cli(["themes", str(CORPUS / "survey.csv"), "--config", str(CORPUS / "survey.toml"),
                            "--out", str(out), "--quiet"])
    assert code == 0, err
    return out


@pytest.fixture(scope="session")
def tokenizer():
    from pipeline.tokenize import Tokenizer

    return Tokenizer()
