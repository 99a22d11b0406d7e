"""A cache of work an earlier run did on the same input: the prepared answers (tokenized,
masked, segmented) and the images and font subsets drawn from the same data.

Staff run the codebook loop again after every edit of the codebook: the input and most of the
configuration stay the same, so preparing the answers again, drawing the same network and
word clouds again and cutting the same font subset again is wasted time. Every entry is keyed
by a SHA-256 of everything it depends on — the content (answer texts, words and weights), the
configuration fields that affect it, the versions of the libraries that make it and the source
of this package — so an entry is either exactly what this run would make or never found.

The cache lives in the output folder (`DIR/.cache`, carried over when a run replaces DIR). It
holds nothing the outputs do not already hold: prepared answers are stored without the raw text
(they are found by the hash of the whole input), with personal information masked as in
assignments.csv (unless --no-mask, as there). Files are JSON, PNG, SVG and CSS: nothing is
unpickled, so a cache folder from elsewhere cannot run code. It is pruned to the most recently
used entries (`MAX_BYTES`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from functools import cache as memoise
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.records import Segment

FOLDER = ".cache"
FORMAT = 1
MAX_BYTES = 512 * 1024 * 1024
# Always in a cached report font: a codebook edit that brings new kana or ASCII still finds it.
KANA_AND_ASCII = "".join(chr(c) for c in [*range(0x20, 0x7F), *range(0x3041, 0x3097), *range(0x30A1, 0x30FB)]) + "ー・「」『』（）、。"
_LIBRARIES = ("fugashi", "unidic-lite", "wordcloud", "matplotlib", "fonttools", "networkx", "igraph", "numpy", "scipy",
              "scikit-learn", "pillow")


@memoise
def fingerprint() -> str:
    """What every entry depends on besides its own content: this package's source, the cache
    format and the versions of the libraries that tokenize and draw."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted([*package.glob("*.py"), *package.glob("templates/*"), *package.glob("static/*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\0".encode())
    return digest.hexdigest()


def key(*material: Any) -> str:
    """The hash of `material` (JSON-able values, paths by their content) and the fingerprint."""
    digest = hashlib.sha256(fingerprint().encode())
    for m in material:
        if isinstance(m, Path):
            digest.update(b"file\0" + _file_digest(str(m)).encode())
        else:
            digest.update(json.dumps(m, ensure_ascii=False, sort_keys=True, default=_plain).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


@memoise
def _file_digest(path: str) -> str:
    stat = os.stat(path)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest() + f":{stat.st_size}"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot hash {type(value).__name__}")


class Cache:
    """Entries in `folder` (created when the first entry is stored). With `defer`, new entries
    are held until `flush` (the command line's DIR/.cache: a run that fails leaves DIR as it
    was, and a run that succeeds carries the cache into the new DIR)."""

    def __init__(self, folder: Path, defer: bool = False):
        self.folder = Path(folder)
        self.defer = defer
        self.hits = 0
        self.misses = 0
        self._held: dict[Path, bytes | Path | Callable[[], bytes]] = {}

    def _path(self, kind: str, name: str, suffix: str) -> Path:
        return self.folder / kind / f"{name}{suffix}"

    # Prepared answers ------------------------------------------------------------------

    def prepared(self, name: str) -> list[dict] | None:
        """The prepared fields of each distinct answer (in the order they were stored), or None."""
        path = self._path("prepared", name, ".json")
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        _touch(path)
        self.hits += 1
        return [_prepared_from_json(item) for item in items]

    def store_prepared(self, name: str, items: Iterable[dict]) -> None:
        items = list(items)

        def body() -> bytes:
            return json.dumps([_prepared_to_json(item) for item in items], ensure_ascii=False,
                              separators=(",", ":")).encode("utf-8")

        self._write(self._path("prepared", name, ".json"), body)

    # Files (images, font subsets) --------------------------------------------------------

    def copy(self, name: str, targets: dict[str, Path]) -> bool:
        """Copy the cached files `name` + suffix to `targets` (suffix → path); False, and nothing
        copied, unless every one of them is there, whole (its SHA-256 as kept)."""
        try:
            digests = json.loads(self._path("files", name, ".json").read_text(encoding="utf-8"))
            found = {suffix: self._path("files", name, suffix).read_bytes() for suffix in targets}
        except (OSError, ValueError):
            self.misses += 1
            return False
        if not isinstance(digests, dict) or any(digests.get(suffix) != hashlib.sha256(data).hexdigest()
                                                for suffix, data in found.items()):
            self.misses += 1
            return False
        for suffix, target in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(found[suffix])
            _touch(self._path("files", name, suffix))
        _touch(self._path("files", name, ".json"))
        self.hits += 1
        return True

    def has(self, name: str) -> bool:
        """Whether files `name` are kept (as `copy` would find them, unless damaged)."""
        path = self._path("files", name, ".json")
        return path.relative_to(self.folder) in self._held or path.is_file()

    def keep(self, name: str, targets: dict[str, Path]) -> None:
        """Keep copies of the files `targets` (suffix → path) as `name` + suffix, with their digests."""
        found = {suffix: target.read_bytes() for suffix, target in targets.items() if target.is_file()}
        for suffix, data in found.items():
            self._write(self._path("files", name, suffix), data)
        digests = {suffix: hashlib.sha256(data).hexdigest() for suffix, data in found.items()}
        self._write(self._path("files", name, ".json"), json.dumps(digests, sort_keys=True).encode())

    def face(self, font: Path, needed: str, likely: str, make: Callable[[str], str]) -> str:
        """The report's @font-face rule for the characters `needed` (see `covering`); `likely`:
        the answers' text, which a rerun after a codebook edit shows again."""
        return self.covering("face", font, needed, likely + KANA_AND_ASCII,
                             lambda chars: make(chars).encode("utf-8"), ".css").decode("utf-8")

    def narrowed(self, font: Path, needed: str, likely: str, target: Path, make: Callable[[str, Path], Any]) -> None:
        """`target`: the font cut down to (at least) the characters `needed` (`fonts.narrowed`,
        for the word clouds; see `covering`)."""
        def cut(chars: str) -> bytes:
            make(chars, target)
            return target.read_bytes()

        data = self.covering("narrowed", font, needed, likely, cut, ".ttf")
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def covering(self, kind: str, font: Path, needed: str, likely: str, make: Callable[[str], bytes],
                 suffix: str) -> bytes:
        """Something made from `font` for a set of characters — a subset of the font — that only
        has to cover `needed`: a cached one made for characters that include them, else
        `make(characters)` for `needed` and `likely` (what the next runs on the same input will
        likely need too, so that a rerun after a codebook edit finds it), kept."""
        want = set(needed)
        prefix = f"{kind}-{key(kind, font)[:16]}-"
        folder = self.folder / kind
        try:
            names = sorted(p.name for p in folder.iterdir() if p.name.startswith(prefix) and p.suffix == ".json")
        except OSError:
            names = []
        for name in names:
            try:
                about = json.loads((folder / name).read_text(encoding="utf-8"))
                if not want <= set(about["chars"]):
                    continue
                data = (folder / name).with_suffix(suffix).read_bytes()
                if hashlib.sha256(data).hexdigest() != about["sha256"]:
                    continue
            except (OSError, ValueError, KeyError, TypeError):
                continue
            _touch(folder / name)
            _touch((folder / name).with_suffix(suffix))
            self.hits += 1
            return data
        self.misses += 1
        chars = "".join(sorted(want | set(likely)))
        data = make(chars)
        stem = prefix + hashlib.sha256(chars.encode("utf-8")).hexdigest()[:16]
        self._write(folder / f"{stem}{suffix}", data)
        self._write(folder / f"{stem}.json", json.dumps({"chars": chars, "sha256": hashlib.sha256(data).hexdigest()},
                                                        ensure_ascii=False).encode("utf-8"))
        return data

    # Housekeeping ------------------------------------------------------------------------

    def _write(self, path: Path, data: bytes | Path | Callable[[], bytes]) -> None:
        """Write `data` (bytes, a file's content or a function making them) at `path`, or hold
        it until `flush` (`defer`)."""
        if self.defer:
            self._held[path.relative_to(self.folder)] = data
        else:
            _store(path, data)

    def flush(self, into: Path | None = None) -> None:
        """Write the held entries into `into` (a new cache folder: the old one moved there),
        else into the cache folder; later entries are written at once."""
        folder = Path(into) if into is not None else self.folder
        for relative, data in self._held.items():
            _store(folder / relative, data)
        self._held.clear()
        self.folder, self.defer = folder, False

    def prune(self, max_bytes: int = MAX_BYTES) -> None:
        """Remove the least recently used entries until the cache is at most `max_bytes`."""
        try:
            entries = [(p.stat().st_mtime_ns, p.stat().st_size, p) for p in self.folder.rglob("*") if p.is_file()]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda e: (e[0], str(e[2]))):
            if total <= max_bytes:
                break
            try:
                path.unlink()
                total -= size
            except OSError:
                pass


def _store(path: Path, data: bytes | Path | Callable[[], bytes]) -> None:
    """Write atomically (a killed run leaves no half entry); a cache that cannot be written is
    no error: the run goes on without it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data.read_bytes() if isinstance(data, Path) else data() if callable(data) else data)
        os.replace(tmp, path)
    except OSError:
        pass


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _prepared_to_json(item: dict) -> dict:
    out = dict(item)
    if "segments" in out:
        out["segments"] = [dataclasses.asdict(s) for s in out["segments"]]
    return out


def _prepared_from_json(item: dict) -> dict:
    out: dict[str, Any] = {}
    for name, value in item.items():
        if name == "segments":
            out[name] = tuple(Segment(start=s["start"], end=s["end"], text=s["text"], terms=tuple(s["terms"]),
                                      parts=tuple(s["parts"]), display=s.get("display", "")) for s in value)
        elif name == "aliases":
            out[name] = tuple((a, b) for a, b in value)
        elif isinstance(value, list):
            out[name] = tuple(value)
        else:
            out[name] = value
    return out
