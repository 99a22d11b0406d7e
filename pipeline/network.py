"""Co-occurrence network of a question's words (as in KH Coder): words that appear together in
answers, linked by the Jaccard coefficient, strongest links only, communities coloured, node
size by frequency."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

MAX_WORDS = 60
MAX_EDGES = 60
MIN_DF = 2


@dataclass(frozen=True)
class Network:
    words: tuple[str, ...]
    frequency: tuple[int, ...]  # answers containing each word
    edges: tuple[tuple[int, int, float], ...]  # (word, word, Jaccard), strongest first
    community: tuple[int, ...]  # per word, 0 = largest community


def build(term_lists: list[tuple[str, ...]], seed: int, counts: list[int] | None = None) -> Network | None:
    """The network of the words of `term_lists` (one per answer, or per distinct answer standing
    for `counts` answers); None when it has fewer than three words or no link. Answers with the
    same terms are counted together: a survey that repeats answers (特になし, an export repeated)
    costs what its distinct answers do."""
    # Each distinct list of terms once, with how many answers have it (first seen first).
    lists: Counter[tuple[str, ...]] = Counter()
    if counts is None:
        lists.update(term_lists)
    else:
        for terms, m in zip(term_lists, counts, strict=True):
            lists[terms] += m
    docs = [(set(t), m) for t, m in lists.items()]
    df: dict[str, int] = {}
    for d, m in docs:
        for w in d:
            df[w] = df.get(w, 0) + m
    words = sorted((w for w, c in df.items() if c >= MIN_DF), key=lambda w: (-df[w], w))[:MAX_WORDS]
    if len(words) < 3:
        return None
    index = {w: i for i, w in enumerate(words)}
    together: dict[tuple[int, int], int] = {}
    for d, m in docs:
        present = sorted(index[w] for w in d if w in index)
        for a, b in combinations(present, 2):
            together[(a, b)] = together.get((a, b), 0) + m
    scored = [(a, b, c / (df[words[a]] + df[words[b]] - c)) for (a, b), c in together.items() if c >= MIN_DF]
    scored.sort(key=lambda e: (-e[2], words[e[0]], words[e[1]]))
    edges = scored[:MAX_EDGES]
    if not edges:
        return None
    used = sorted({i for a, b, _ in edges for i in (a, b)})
    remap = {old: new for new, old in enumerate(used)}
    words_used = tuple(words[i] for i in used)
    links = tuple((remap[a], remap[b], round(j, 4)) for a, b, j in edges)
    return Network(words_used, tuple(df[w] for w in words_used), links, _communities(len(words_used), links, seed))


def _communities(n: int, edges, seed: int) -> tuple[int, ...]:
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(edges)
    groups = nx.community.louvain_communities(g, weight="weight", seed=seed)
    groups = sorted(groups, key=lambda c: (-len(c), min(c)))
    label = [0] * n
    for c, members in enumerate(groups):
        for i in members:
            label[i] = c
    return tuple(label)


def draw(network: Network, path: Path, *, font: Path, seed: int, palette: tuple[str, ...]) -> None:
    """The network as PNG (`canvas`, WIDTH × HEIGHT inches at DPI): a seeded spring layout, links as
    lines as wide as their Jaccard coefficient, words in circles as large as their frequency,
    coloured by community."""
    import networkx as nx
    from PIL import Image, ImageDraw

    from pipeline import canvas

    g = nx.Graph()
    g.add_nodes_from(range(len(network.words)))
    g.add_weighted_edges_from(network.edges)
    pos = nx.spring_layout(g, weight="weight", seed=seed, k=1.6 / np.sqrt(max(len(network.words), 1)))
    xy = np.array([pos[i] for i in range(len(network.words))])
    freq = np.array(network.frequency, dtype=float)
    # Drawn at SUPERSAMPLE times the size and reduced: smooth lines and circles.
    s = SUPERSAMPLE
    width, height = round(WIDTH * DPI), round(HEIGHT * DPI)
    area = 250 + 2200 * np.sqrt(freq / freq.max())  # in pt², as a scatter's sizes
    radius = np.sqrt(area / np.pi) * DPI / 72 * s
    # The words' positions with a margin of 5 % (as networkx draws them), inside the picture less
    # the largest circle, y upwards.
    low, high = xy.min(axis=0), xy.max(axis=0)
    pad = 0.05 * (high - low)
    low, span = low - pad, np.where(high - low > 0, (high - low) * 1.1, 1.0)
    inset = float(radius.max()) + MARGIN * s
    box = np.array([width * s - 2 * inset, height * s - 2 * inset])
    at = (xy - low) / span * box
    at[:, 0] += inset
    at[:, 1] = height * s - inset - at[:, 1]
    image = Image.new("RGBA", (width * s, height * s), "white")
    links = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(links)
    for a, b, w in network.edges:
        draw.line((*at[a], *at[b]), fill=canvas.rgb(LINK) + (255,), width=max(1, round(canvas.points(0.6 + 4 * w, DPI) * s)))
    image.alpha_composite(Image.blend(Image.new("RGBA", image.size, (0, 0, 0, 0)), links, LINK_ALPHA))
    for i, community in enumerate(network.community):  # each circle over the ones before it
        r = float(radius[i])
        size = int(np.ceil(2 * r)) + 2
        disc = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(disc).ellipse((1, 1, 1 + 2 * r, 1 + 2 * r),
                                     fill=canvas.rgb(palette[community % len(palette)]) + (round(255 * NODE_ALPHA),))
        image.alpha_composite(disc, (int(round(at[i, 0] - r - 1)), int(round(at[i, 1] - r - 1))))
    text = ImageDraw.Draw(image)
    face = canvas.font(font, round(canvas.points(9, DPI) * s))
    for i, word in enumerate(network.words):
        text.text((float(at[i, 0]), float(at[i, 1])), word, font=face, fill="black", anchor="mm")
    canvas.save(image.convert("RGB").reduce(s), path)


WIDTH, HEIGHT, DPI = 8, 6.4, 110  # inches, pixels an inch: 880 × 704 pixels
SUPERSAMPLE = 2
MARGIN = 6  # pixels between the outermost circle and the picture's edge
LINK, LINK_ALPHA, NODE_ALPHA = "#999999", 0.7, 0.35
