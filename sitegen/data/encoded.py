"""Columns of text as codes into their distinct cells (dictionary encoding), as the readers give them and the
typing works on them: an export of ten million rows has a few thousand distinct dates, campaigns and amounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class Column:
    """One column of a file or batch: row i holds `uniques[codes[i]]`."""

    codes: np.ndarray  # int32 or int64
    uniques: pa.Array  # strings as written; may repeat values (each entry is typed on its own)

    @classmethod
    def encode(cls, values: pa.Array | pa.ChunkedArray) -> Column:
        """Dictionary-encode strings; nulls (a file without the column, in a batch) become '' at the end."""
        encoded = pc.dictionary_encode(values)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks() if encoded.num_chunks != 1 else encoded.chunk(0)
        dictionary = encoded.dictionary.cast(pa.string())
        indices = encoded.indices
        if indices.null_count:
            indices = pc.fill_null(indices, len(dictionary))
            dictionary = pa.concat_arrays([dictionary, pa.array([""], pa.string())])
        return cls(indices.to_numpy(zero_copy_only=False), dictionary)

    def take(self, rows: np.ndarray | slice) -> Column:
        return Column(self.codes[rows], self.uniques)

    def __len__(self) -> int:
        return len(self.codes)


def code_type(distinct: int) -> type[np.unsignedinteger] | type[np.int32]:
    """The smallest integer type for codes of `distinct` values (10 million rows of 200 campaigns: 10 MB)."""
    return np.uint8 if distinct <= 1 << 8 else np.uint16 if distinct <= 1 << 16 else np.int32


def merged(parts: list[tuple[np.ndarray, pa.Array]], n: int) -> tuple[np.ndarray, pa.Array]:
    """(codes, distinct values) of blocks of n rows in all, each given as (codes, its distinct values): the
    blocks' values, encoded once more (a missing value too), give each block's codes a common numbering."""
    if not parts:
        return np.zeros(0, dtype=np.uint8), pa.array([], pa.string())
    blocks = pa.chunked_array([d for _, d in parts], parts[0][1].type)
    encoded = pc.dictionary_encode(blocks, null_encoding="encode").combine_chunks()
    uniques = encoded.dictionary
    codes = np.empty(n, dtype=code_type(len(uniques)))
    renumber = encoded.indices.to_numpy(zero_copy_only=False).astype(codes.dtype)
    start, seen = 0, 0
    for block_codes, dictionary in parts:  # (every code is in range: "clip" takes straight into `codes`)
        np.take(renumber[seen:seen + len(dictionary)], block_codes, out=codes[start:start + len(block_codes)],
                mode="clip")
        start += len(block_codes)
        seen += len(dictionary)
    return codes, uniques


TextCells = Column | pa.Array | tuple[str, ...]  # a column's cells as text, as the readers give them
