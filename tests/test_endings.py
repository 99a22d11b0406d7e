"""endings.ending: a pattern that only matches at the end, tested backwards, agrees with the
pattern itself on every text."""

import random
import re

import pytest

from pipeline import endings, noissue

PATTERNS = [
    r"^.*(?:良|よ)(?:い|かった)(?:です|)$",
    r"(?:食べ|買っ)(?:ました|た)(?:が|)$|(?:利用|参加)させて(?:もらっ|頂い)た$",
    r"(?:(?<![な無])し|く|は|(?<!こ)と|[一-龥ァ-ヶーa-z0-9])$",
    r"^.*楽しみに(?!し)[^をがは]{1,3}?ました$",
    r"^(?:特に|)(?:ない|なし)(?:です|)*$",
    r"^.*[^\d\s]\d{2,}$",
    r"a(?:b|c)+?d$",
    r"x(?=yz)yz$",
    r"(?:ab|)$",
    r"\Aab\Z",
    r"(a)b$",
]
ALPHABET = list("よいかったですがし食べ買っましたくはとこ無な楽しみにをabcdxyz0 \n") + ["利用させてもらった"]


@pytest.mark.parametrize("source", PATTERNS)
def test_the_mirror_agrees_with_the_pattern(source):
    pattern = re.compile(source)
    test = endings.ending(pattern)
    assert endings._mirrored(pattern) is not None  # these are all mirrored, not left as they are
    rng = random.Random(source)
    texts = ["", "\n", "良いです", "良いです\n", "a\n良い", "無し", "なし", "こと", "abcd", "abccd\n", "xyz", "ab"]
    texts += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for text in texts:
        assert test(text) == bool(pattern.search(text)), (source, text)


@pytest.mark.parametrize("source", [r"(a)\1$", r"(?i:ab)$", r"ab", r"ab$|c", r"(?>ab)$"])
def test_what_cannot_be_mirrored_is_tested_as_it_is(source):
    pattern = re.compile(source)
    assert endings._mirrored(pattern) is None
    test = endings.ending(pattern)
    for text in ("aa", "ab", "AB", "xab", "abc", "c", ""):
        assert test(text) == bool(pattern.search(text))


def test_multiline_patterns_are_tested_as_they_are():
    pattern = re.compile(r"^ab$", re.MULTILINE)
    assert endings._mirrored(pattern) is None
    assert endings.ending(pattern)("x\nab\ny")


def test_noissue_reads_its_end_anchored_patterns_backwards():
    # The speed of kind() rests on these being mirrored (a fallback would be correct, only slower).
    for name in ("_PRAISE", "_PRAISE_NOUN", "_DID", "_GOES_ON"):
        assert endings._mirrored(getattr(noissue, name)) is not None, name
    for clause in ("とても良かったです", "活気がありました", "お蕎麦をいただきました", "トイレも",
                   "駐車場が狭い", "また来たいと思います", "もっと案内がほしい"):
        assert noissue._praises(clause) == bool(noissue._PRAISE.match(clause))
        assert noissue._praises_noun(clause) == bool(noissue._PRAISE_NOUN.match(clause))
        assert noissue._did(clause) == bool(noissue._DID.search(clause))
        assert noissue._goes_on(clause) == bool(noissue._GOES_ON.search(clause))
