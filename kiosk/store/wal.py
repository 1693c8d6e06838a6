"""Checking a store's write-ahead log before SQLite reads it.

A store runs in WAL mode: commits are appended to ``NAME-wal`` as frames and copied
into ``NAME`` at a checkpoint. When SQLite opens a WAL it keeps the frames up to the
first one whose salts or checksum do not match and silently ignores that frame and
everything after it; at the next checkpoint the WAL is reset, so commits recorded
after a damaged frame are gone without a word. :func:`wal_problems` reads the log
as the file format describes it (https://www.sqlite.org/fileformat2.html#walformat)
and says when that would happen, so :func:`~kiosk.store.database.open_store` can
refuse before SQLite touches the file and ``kiosk store check`` can report it.

What is normal and not reported: no WAL, an empty WAL or one holding only its
header; frames with stale salts after the valid ones (left by an earlier
generation of the log); a damaged or partly written frame with no commit after it
(what a crash or power cut leaves, and what SQLite rightly drops).

The check reads the file and never writes it. Each frame's checksum continues from
the checksum stored in the frame before it, so frames can be checked a block at a
time with array arithmetic: a 4 MB log takes a few milliseconds.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["wal_path", "wal_problems"]

HEADER_SIZE = 32
FRAME_HEADER_SIZE = 24
MAGIC = 0x377F0682  # the low bit says in which byte order checksums read words
FORMAT_VERSION = 3007000
MASK32 = 0xFFFFFFFF
BLOCK_BYTES = 1 << 20  # frames are read and checked about a megabyte at a time
RESCANS = 3  # a log restarted by a writer while we read it looks damaged; look again


def wal_path(db_path: str | Path) -> Path:
    """The write-ahead log that belongs beside the store file ``db_path``."""
    return Path(f"{db_path}-wal")


@dataclass(frozen=True)
class _Header:
    magic: int
    version: int
    page_size: int
    salts: bytes
    checksum: tuple[int, int]
    big_endian: bool

    @classmethod
    def parse(cls, raw: bytes) -> _Header:
        magic, version, page_size, _ckpt, _s1, _s2, c1, c2 = struct.unpack(">8I", raw)
        return cls(magic, version, page_size, raw[16:24], (c1, c2), bool(magic & 1))

    def damage(self, raw: bytes) -> str | None:
        if self.magic & ~1 != MAGIC:
            return "bad magic number"
        if self.version != FORMAT_VERSION:
            return f"unknown format version {self.version}"
        if self.page_size < 512 or self.page_size > 65536 or self.page_size & (self.page_size - 1):
            return f"impossible page size {self.page_size}"
        if _checksum(raw[:24], self.big_endian) != self.checksum:
            return "checksum mismatch"
        return None


def _checksum(data: bytes, big_endian: bool, s0: int = 0, s1: int = 0) -> tuple[int, int]:
    """SQLite's WAL checksum, one pair of words at a time (used for the short header)."""
    for a, b in struct.iter_unpack(">II" if big_endian else "<II", data):
        s0 = (s0 + a + s1) & MASK32
        s1 = (s1 + b + s0) & MASK32
    return s0, s1


@lru_cache(maxsize=4)
def _frame_weights(pairs: int) -> tuple[npt.NDArray[np.uint64], tuple[int, int, int]]:
    """Weights that turn a frame's words into its checksum in one matrix product.

    One checksum step maps (s0, s1) to M·(s0, s1) + (a, a + b) with M = [[1, 1], [1, 2]],
    so after n pairs (s0, s1) = M^n·start + Σ M^(n-1-i)·(a_i, a_i + b_i). Powers of M
    are symmetric, [[p, q], [q, r]]; everything is modulo 2^32.
    """
    import numpy as np

    weights = np.zeros((2 * pairs, 2), dtype=np.uint64)
    p, q, r = 1, 0, 1  # M^0
    for i in range(pairs - 1, -1, -1):
        weights[2 * i] = ((p + q) & MASK32, (q + r) & MASK32)
        weights[2 * i + 1] = (q, r)
        p, q, r = (p + q) & MASK32, (p + 2 * q) & MASK32, (q + 2 * r) & MASK32
    return weights, (p, q, r)  # the last (p, q, r) is M^pairs


@dataclass
class _Scan:
    frames: int = 0
    first_bad: int | None = None  # 0-based index of the first frame SQLite would not accept
    reason: str = ""
    bad_commits: bool = False  # first_bad itself carries the log's salts and a commit
    later_commits: int = 0  # commit frames of this log's generation after first_bad
    last_later: int = 0


def _scan_frames(fh: BinaryIO, header: _Header) -> _Scan:
    import numpy as np

    frame_size = FRAME_HEADER_SIZE + header.page_size
    weights, (p, q, r) = _frame_weights((8 + header.page_size) // 8)
    word = np.dtype(">u4" if header.big_endian else "<u4")
    salts = np.frombuffer(header.salts, dtype=np.uint8)
    previous = header.checksum
    scan = _Scan()
    while True:
        data = fh.read(max(1, BLOCK_BYTES // frame_size) * frame_size)
        count = len(data) // frame_size  # a partly written last frame is ignored, as SQLite does
        if count == 0:
            return scan
        block = np.frombuffer(data, dtype=np.uint8, count=count * frame_size)
        block = block.reshape(count, frame_size)
        same_salts = (block[:, 8:16] == salts).all(axis=1)
        fields = np.ascontiguousarray(block[:, :8]).view(">u4")  # page number, commit size
        if scan.first_bad is None:
            stored = np.ascontiguousarray(block[:, 16:24]).view(">u4").astype(np.uint64)
            start = np.empty_like(stored)
            start[0] = previous
            start[1:] = stored[:-1]
            covered = np.concatenate((block[:, :8], block[:, FRAME_HEADER_SIZE:]), axis=1)
            partial = covered.view(word).astype(np.uint64) @ weights  # wraps modulo 2^64
            s0 = (p * start[:, 0] + q * start[:, 1] + partial[:, 0]) & MASK32
            s1 = (q * start[:, 0] + r * start[:, 1] + partial[:, 1]) & MASK32
            good_sum = (s0 == stored[:, 0]) & (s1 == stored[:, 1])
            good = same_salts & good_sum & (fields[:, 0] != 0)
            if good.all():
                previous = (int(stored[-1, 0]), int(stored[-1, 1]))
            else:
                bad = int(np.argmin(good))
                scan.first_bad = scan.frames + bad
                if not same_salts[bad]:
                    scan.reason = "its salts do not match the log's header"
                elif fields[bad, 0] == 0:
                    scan.reason = "page number 0"
                else:
                    scan.reason = "checksum mismatch"
                scan.bad_commits = bool(same_salts[bad] and fields[bad, 1] != 0)
                later = np.zeros(count, dtype=bool)
                later[bad + 1 :] = True
                _count_later(scan, later & same_salts, fields)
        else:
            _count_later(scan, same_salts, fields)
        scan.frames += count


def _count_later(scan: _Scan, mask: npt.NDArray[np.bool_], fields: npt.NDArray[np.uint32]) -> None:
    import numpy as np

    commits = np.flatnonzero(mask & (fields[:, 1] != 0))
    scan.later_commits += len(commits)
    if len(commits):
        scan.last_later = scan.frames + int(commits[-1])


def _problems_once(wal: Path) -> tuple[list[str], bytes]:
    with wal.open("rb") as fh:
        raw = fh.read(HEADER_SIZE)
        size = fh.seek(0, 2)
        if len(raw) < HEADER_SIZE or size == HEADER_SIZE:
            return [], raw  # SQLite treats a log without frames as empty
        header = _Header.parse(raw)
        damage = header.damage(raw)
        if damage is not None:
            if damage.startswith(("bad magic", "impossible page")):
                frames = f"the {size - HEADER_SIZE} bytes after it"
            else:
                count = (size - HEADER_SIZE) // (FRAME_HEADER_SIZE + header.page_size)
                if count == 0:
                    return [], raw
                frames = f"all {count} frames"
            return [
                f"{wal.name}: the header is damaged ({damage}); SQLite would ignore {frames}, "
                "losing every transaction in the log not yet copied into the store"
            ], raw
        fh.seek(HEADER_SIZE)
        scan = _scan_frames(fh, header)
    if scan.first_bad is None or scan.later_commits == 0:
        return [], raw
    bad = scan.first_bad + 1
    lost = scan.later_commits + scan.bad_commits
    commits = "1 committed transaction" if lost == 1 else f"{lost} committed transactions"
    return [
        f"{wal.name}: frame {bad} of {scan.frames} is damaged ({scan.reason}); SQLite would "
        f"silently drop it and every frame after it, losing {commits} "
        f"(frames {bad}-{scan.last_later + 1})"
    ], raw


def wal_problems(db_path: str | Path) -> list[str]:
    """What SQLite would silently lose from the store's write-ahead log; ``[]`` if nothing.

    ``db_path`` is the store file; its log ``db_path-wal`` is read, never written. Each
    problem is one line naming the log, the damaged place and what would be lost.
    """
    wal = wal_path(db_path)
    try:
        for _ in range(RESCANS):
            problems, header = _problems_once(wal)
            if not problems:
                return []
            # A writer restarting the log while we read it makes old frames look like
            # damage; if the header changed meanwhile, read the log again.
            with wal.open("rb") as fh:
                if fh.read(HEADER_SIZE) == header:
                    return problems
        return problems
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"{wal.name}: cannot be read ({exc.strerror or exc})"]
