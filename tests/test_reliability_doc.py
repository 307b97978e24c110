"""RELIABILITY.md stays true: its figures match the tests' constants, its tests exist."""

from __future__ import annotations

import importlib
import re

from onboardd.responders.policy import Limits
from tests.conftest import REPO
from tests.corpus import expects_no_reply, rows
from tests.daemon import test_backscatter, test_durable_before_acting, test_fuzz_pipeline
from tests.integration import test_crash, test_kill_resend
from tests.parsers import test_authresults, test_fuzz

DOC = (REPO / "RELIABILITY.md").read_text()


def test_every_test_named_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", DOC)
    assert len(named) >= 20
    for path, function in named:
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert hasattr(module, function), f"{path}::{function}"


def test_figures_match_the_tests() -> None:
    index = rows()
    for figure in (
        f"**{test_crash.KILLS} SIGKILLs**",
        f"**{test_crash.MAILS} mails**",
        f"**{test_kill_resend.KILLS} SIGKILLs** of `run --once` over "
        f"**{test_kill_resend.MAILS} mails**",
        f"(seed {test_kill_resend.SEED})",
        f"**{test_fuzz.FUZZ.max_examples} mutated real mails**",
        f"**{test_fuzz.FUZZ.max_examples} random byte strings**",
        f"**{test_fuzz_pipeline.EXAMPLES} mutated mails**",
        f"**{test_durable_before_acting.MAILS} mails**:",
        f"**{len(index):,} files**",
        f"**{test_backscatter.FORGED_SENDERS} forged senders**",
        f"**0 of {test_backscatter.FORGED_SENDERS}** answered",
        f"**{Limits().replies_per_hour + test_backscatter.PAST_BUDGET} senders**",
        f"{Limits().replies_per_hour} answered, **{test_backscatter.PAST_BUDGET}** held",
        f"**{len(test_authresults.FORGED_UNDER_OURS)} of "
        f"{len(test_authresults.FORGED_UNDER_OURS)}** such headers",
        f"**{len(test_authresults.PASSING)}** passing forms",
        f"**{len(test_authresults.FAILING)}** failing forms",
        f"**{sum(expects_no_reply(r) for r in index):,}**",
    ):
        assert figure in DOC, figure
