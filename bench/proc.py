"""What Linux's /proc tells about the processes of a run: a tree, its memory, CPU time.

The drain is sampled every 100 ms while it runs, so these read only the files of the
processes concerned (a tree is walked through each task's `children` file) rather than
scanning every process on the machine each time: the sampler shares the two cores with
what it measures.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree(root: int) -> list[int]:
    """`root` and its live descendants (the drain's parse worker, resource tracker)."""
    found, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        try:
            tasks = list((PROC / str(pid) / "task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.append(child)
                    frontier.append(child)
    return found


def memory_kb(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of `pid`, or None once it is gone."""
    try:
        status = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields.get("VmRSS", "0 kB").split()[0]),
            int(fields.get("VmHWM", "0 kB").split()[0]))


def _stat_fields(path: Path) -> list[str] | None:
    try:
        text = path.read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its end.
    return text[text.rindex(")") + 2 :].split()


def _ticks(fields: list[str], *, reaped_children: bool) -> int:
    # After the name: state=0 ... utime=11, stime=12, cutime=13, cstime=14.
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of `pid` so far, or None once it is gone."""
    fields = _stat_fields(PROC / str(pid) / "stat")
    return None if fields is None else _ticks(fields, reaped_children=False) / CLOCK_TICKS


def group_cpu_seconds(group: int) -> float:
    """CPU of every process of a process group, with the children each has reaped (a
    Dovecot master and the imap processes it started and ended), so that a process that
    exits between two readings is counted once either way."""
    total = 0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry / "stat")
        if fields is None or int(fields[2]) != group:  # pgrp is the field after ppid
            continue
        total += _ticks(fields, reaped_children=True)
    return total / CLOCK_TICKS
