"""Static Japanese word vectors (chiVe, 300 dimensions) from the `ja-ginza` package, offline.

ja-ginza ships chiVe vectors as a spaCy vocabulary: a NumPy matrix of 20,000 rows and a msgpack
map from spaCy's 64-bit string hash to a row (480,443 words; rare words share the row of a
similar frequent word). Importing spaCy costs seconds, so the map is converted once into a plain
word list beside the matrix (in the environment's share/ folder), with each word's 64-bit BLAKE2
key sorted beside its row: a run looks its words up by binary search in those two arrays
(`KeyIndex`) instead of building a dictionary of 480,000 words (0.2 s of every run's start).
Without ja-ginza the pipeline runs on lexical features alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PACKAGE = "ja_ginza"
FORMAT = 3  # 3: keys.npy and key_rows.npy beside words.txt and rows.npy
# Remove the top principal components of the word vectors ("all-but-the-top", Mu & Viswanath
# 2018): they encode word frequency more than meaning, and dominate averages of short texts.
TOP_COMPONENTS = 3


def source_dir() -> Path | None:
    """ja-ginza's vocab folder, found without importing the package (it would import spaCy)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for vocab in sorted(Path(location).glob("ja_ginza-*/vocab")):
            if (vocab / "vectors").is_file() and (vocab / "key2row").is_file():
                return vocab
    return None


def cache_dir() -> Path:
    override = os.environ.get("JIYU_THEMES_VECTORS")
    return Path(override) if override else Path(sys.prefix) / "share" / "jiyu-themes" / "chive"


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, the hash spaCy gives strings (spacy.strings.hash_string, seed 1)."""
    m, r, mask = 0xC6A4A7935BD1E995, 47, (1 << 64) - 1
    h = (seed ^ (len(data) * m)) & mask
    n = len(data) // 8
    for i in range(n):
        k = int.from_bytes(data[8 * i:8 * i + 8], "little")
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h ^= k
        h = (h * m) & mask
    tail = data[n * 8:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & mask
    h ^= h >> r
    h = (h * m) & mask
    h ^= h >> r
    return h


def build(source: Path, target: Path) -> None:
    """Convert ja-ginza's vocab into words.txt + rows.npy + vectors.npy in `target` (atomically)."""
    import msgpack

    key2row = msgpack.unpackb((source / "key2row").read_bytes(), strict_map_key=False)
    strings = json.loads((source / "strings.json").read_text(encoding="utf-8"))
    words, rows = [], []
    for s in strings:
        if "\n" in s or "\r" in s:
            continue
        row = key2row.get(murmurhash64a(s.encode("utf-8")))
        if row is not None:
            words.append(s)
            rows.append(row)
    matrix = np.load(source / "vectors", allow_pickle=False).astype(np.float64)
    matrix -= matrix.mean(axis=0)
    top = np.linalg.svd(matrix, full_matrices=False)[2][:TOP_COMPONENTS]
    matrix = (matrix - (matrix @ top.T) @ top).astype(np.float32)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".chive-", dir=target.parent))
    (tmp / "words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    np.save(tmp / "rows.npy", np.asarray(rows, dtype=np.int32))
    keys, key_rows = keyed(words, rows)
    np.save(tmp / "keys.npy", keys)
    np.save(tmp / "key_rows.npy", key_rows)
    np.save(tmp / "vectors.npy", matrix)
    (tmp / "meta.json").write_text(json.dumps({"format": FORMAT, "source": str(source), "words": len(words),
                                               "shape": list(matrix.shape),
                                               "top_components_removed": TOP_COMPONENTS}) + "\n", encoding="utf-8")
    if target.exists():
        import shutil

        shutil.rmtree(target)
    os.replace(tmp, target)


def key(word: str) -> int:
    """A word's 64-bit key (BLAKE2b): the same in every process and on every machine."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def keyed(words: list[str], rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The words' keys, sorted, and the row of each. Words whose keys collide (about one chance in
    10⁸ among 480,000 words) are left out: they find no vector, rather than another word's."""
    keys = np.fromiter((key(w) for w in words), dtype=np.uint64, count=len(words))
    order = np.argsort(keys, kind="stable")
    keys, key_rows = keys[order], np.asarray(rows, dtype=np.int32)[order]
    clash = np.zeros(len(keys), dtype=bool)
    same = keys[1:] == keys[:-1]
    clash[1:] |= same
    clash[:-1] |= same
    return keys[~clash], key_rows[~clash]


class KeyIndex:
    """Word → row by binary search among the words' sorted keys (`keyed`); `get` as a dict's."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray):
        self._keys, self._rows = keys, rows

    def get(self, word: str, default: int | None = None) -> int | None:
        found = self.rows([word])[0]
        return default if found is None else found

    def rows(self, words: list[str]) -> list[int | None]:
        """`get` of each word, searched all at once."""
        if not words or not len(self._keys):
            return [None] * len(words)
        keys = np.fromiter((key(w) for w in words), dtype=np.uint64, count=len(words))
        at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        found = self._keys[at] == keys
        return [int(r) if f else None for r, f in zip(self._rows[at].tolist(), found.tolist())]

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(frozen=True)
class WordVectors:
    index: dict[str, int] | KeyIndex  # word → row of `matrix`
    matrix: np.ndarray  # (rows, dim) float32

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def row(self, word: str) -> int | None:
        return self.index.get(word)

    def rows(self, words: list[str]) -> dict[str, int]:
        """The row of each word that has one (looked up together: faster than one by one)."""
        if isinstance(self.index, KeyIndex):
            found = self.index.rows(words)
        else:
            found = [self.index.get(w) for w in words]
        return {w: r for w, r in zip(words, found) if r is not None}


_LOADED: dict[Path, WordVectors | None] = {}


def load(target: Path | None = None) -> WordVectors | None:
    """The word vectors, converting ja-ginza's on first use; None when ja-ginza is absent."""
    target = target or cache_dir()
    if target in _LOADED:
        return _LOADED[target]
    vectors = None
    meta = target / "meta.json"
    if not meta.is_file() or json.loads(meta.read_text(encoding="utf-8")).get("format") != FORMAT:
        source = source_dir()
        if source is not None:
            try:
                build(source, target)
            except OSError:  # e.g. a read-only environment: fall back to lexical features
                source = None
        if source is None:
            _LOADED[target] = None
            return None
    index = KeyIndex(np.load(target / "keys.npy"), np.load(target / "key_rows.npy"))
    vectors = WordVectors(index=index, matrix=np.load(target / "vectors.npy", mmap_mode="r"))
    _LOADED[target] = vectors
    return vectors


if __name__ == "__main__":  # `python -m pipeline.wordvectors`: convert now (make does this at set-up)
    found = load()
    print("word vectors:", "none (ja-ginza not installed)" if found is None else f"{len(found.index)} words, {found.dim} dims")
