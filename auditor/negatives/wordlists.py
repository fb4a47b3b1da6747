"""Whether a token is a word of a language: its `wordfreq` Zipf frequency reaches a threshold.

`wordfreq.zipf_frequency` builds a dict of a whole frequency list on first use (hundreds of
thousands of words per language, most of a second for five languages). A list is stored as
buckets of words, one per centibel of frequency, most frequent first, and the Zipf frequency of
a word that is one plain token is its bucket's, `9 - i / 100` for bucket `i`. So the words at
or above a threshold are the first buckets: `knows` keeps only the words of those buckets (and
`MARGIN` more), and leaves to `zipf_frequency` itself a token that is not one plain token or
whose bucket is within `MARGIN` centibels of the threshold. (wordfreq rounds a frequency to
three significant digits, which moves its Zipf value by less than 0.001, and the Zipf value to
two decimals: a bucket's value is exact, and only the threshold's own bucket is left to it.)

The first buckets are read from the list's file as a stream (`_top_buckets`): the file is one
gzipped msgpack array, a header and then the buckets (wordfreq's documented `cB` format), so
only its top quarter is decompressed and decoded (0.05 s for five languages instead of 0.2 s),
and nothing else stays in memory. A list that is not such a file is read with wordfreq's
`get_frequency_list`. Imported only where the optional `wordfreq` is installed.
"""

from __future__ import annotations

import gzip
from functools import lru_cache

import msgpack
from wordfreq import available_languages, get_frequency_list, lossy_tokenize, zipf_frequency

MARGIN = 1
"""Centibels either side of the threshold answered by `zipf_frequency` itself."""
_FORMAT = {"format": "cB", "version": 1}


def _top_buckets(lang: str, count: int) -> list[list[str]]:
    """The first `count` buckets of the language's best frequency list."""
    path = available_languages("best").get(lang)
    if path is not None:
        with gzip.open(path, "rb") as stream:
            unpacker = msgpack.Unpacker(stream, raw=False)
            size = unpacker.read_array_header()
            header = unpacker.unpack() if size else None
            if isinstance(header, dict) and all(header.get(k) == v for k, v in _FORMAT.items()):
                return [unpacker.unpack() for _ in range(min(count, size - 1))]
    return get_frequency_list(lang)[:count]


@lru_cache(maxsize=32)
def _buckets(lang: str, zipf: float) -> tuple[dict[str, int], int]:
    """The bucket of every word down to `MARGIN` below `zipf`, and the last bucket surely
    at or above it."""
    edge = round((9 - zipf) * 100)
    kept = _top_buckets(lang, edge + MARGIN)
    return {w: i for i, bucket in enumerate(kept) for w in bucket}, edge - MARGIN


def knows(token: str, lang: str, zipf: float) -> bool:
    """`zipf_frequency(token, lang) >= zipf`, reading only the top of the frequency list."""
    tokens = lossy_tokenize(token, lang)
    if len(tokens) == 1 and tokens[0].isalpha():
        bucket, sure = _buckets(lang, zipf)
        found = bucket.get(tokens[0])
        if found is None:
            return False
        if found <= sure:
            return True
    return zipf_frequency(token, lang) >= zipf
