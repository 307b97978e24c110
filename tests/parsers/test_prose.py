"""Facts stated in sentences, and the numbers in a mail that are not user counts."""

from __future__ import annotations

import pytest

from onboardd.parsers.facts import extract_facts
from onboardd.parsers.model import CorStatus, RequestFacts
from onboardd.parsers.prose import read_sentences
from tests.parsers.support import CATALOG, CORS, mail


def facts_of(body: str, subject: str = "Access request") -> RequestFacts:
    return extract_facts(mail(f"From: Jane Doe <jane@acmehealth.example.com>\n"
                              f"Subject: {subject}", body), CATALOG, CORS)


def test_the_issue_sentence_states_four_facts() -> None:
    facts = facts_of("Hi,\n\nWe are Acme Health Solutions and need Jira for about 40 staff "
                     "to track defects; our COR Dana Smith <dana.smith@cms.example.gov> "
                     "approved this on 3/2.\n\nJane\n")
    assert facts.organization == "Acme Health Solutions"
    assert facts.services == ("Jira",)
    assert facts.user_count == 40
    assert facts.justification == "track defects"
    assert facts.cor.status is CorStatus.STATED
    assert facts.cor.address == "dana.smith@cms.example.gov"
    assert dict(facts.sources) == {"organization": "a sentence", "services": "a sentence",
                                   "user_count": "a sentence", "justification": "a sentence",
                                   "cor": "a sentence"}


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("It would be used by 25 users.", 25),
        ("We have a team of 12 who need Confluence.", 12),
        ("Roughly two dozen people will need Slack.", 24),
        ("About 1,200 accounts are expected.", 1200),
        ("Access is for 10-15 analysts.", 15),
        ("Up to 50 seats, please.", 50),
        ("Fifteen (15) staff members need HARP.", 15),
    ],
)
def test_user_counts_in_sentences(sentence: str, count: int) -> None:
    assert facts_of(f"Hello,\n\n{sentence}\n").user_count == count


@pytest.mark.parametrize(
    "body",
    [
        "Please call me at 410-555-0100 about Jira.",
        "Our contract 75FCMC21D0012 started on 3/2/2026.",
        "We upgraded to Jira 9.4 last week.",
        "The licence costs $40 per user.",
        "Meeting at 10:30 in room 214.",
        "Phone: (443) 555-0199 | Fax: 443.555.0198",
        "Our office is at 1200 Harbor Blvd, Baltimore, MD 21230.",
        "We use 2 factor authentication for all users.",
        "Task order 2026-14 covers the users of the portal.",
    ],
)
def test_numbers_that_are_not_user_counts(body: str) -> None:
    assert facts_of(f"Hello,\n\n{body}\n").user_count is None


@pytest.mark.parametrize(
    ("sentence", "organization"),
    [
        ("We are Brightpath Analytics and would like Slack.", "Brightpath Analytics"),
        ("On behalf of Lakeshore IT Partners, I request Confluence.", "Lakeshore IT Partners"),
        ("I work for Summit Clinical Data LLC and need HARP.", "Summit Clinical Data LLC"),
        ("Keystone Health Informatics would like ServiceNow access.",
         "Keystone Health Informatics"),
        ("This is Blue Heron Consulting requesting Jira.", "Blue Heron Consulting"),
    ],
)
def test_the_organization_in_a_sentence(sentence: str, organization: str) -> None:
    assert facts_of(f"Hello,\n\n{sentence}\n").organization == organization


@pytest.mark.parametrize(
    "body",
    [
        "We are requesting access to Jira.",
        "We are the Jira team at CMS.",
        "Hello, I work with the onboarding team on this.",
        "Thanks for your help last week.",
    ],
)
def test_no_organization_is_invented(body: str) -> None:
    assert facts_of(f"Hello,\n\n{body}\n").organization is None


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("Our COR, Dana Smith (dana.smith@cms.example.gov), approved this on 3/2.",
         CorStatus.STATED),
        ("This was approved by our COR dana.smith@cms.example.gov.", CorStatus.STATED),
        ("Our COR has not approved it yet.", CorStatus.MISSING),
        ("COR approval is pending; dana.smith@cms.example.gov will approve next week.",
         CorStatus.MISSING),
        ("I can ask my COR to approve it if needed.", CorStatus.MISSING),
    ],
)
def test_a_cor_approval_in_a_sentence(sentence: str, status: CorStatus) -> None:
    assert facts_of(f"Hello,\n\nWe need Jira. {sentence}\n").cor.status is status


def test_labels_win_over_sentences() -> None:
    facts = facts_of("We are Somebody Else Inc and need Jira for 5 users.\n\n"
                     "Organization: Acme Health Solutions\nEstimated Number of Users: 40\n")
    assert facts.organization == "Acme Health Solutions"
    assert facts.user_count == 40
    assert dict(facts.sources)["organization"] == "labels"


def test_read_sentences_gives_raw_values() -> None:
    assert read_sentences("We are Acme Health and need Jira for about 40 users.") == {
        "organization": "Acme Health", "user_count": "about 40"}
