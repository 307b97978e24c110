"""Facts stated in sentences, the directory's organizations, and the numbers in a mail
that are not user counts. Every case is a whole mail, parsed from its bytes."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import pytest

from onboardd.daemon.prepare import Reading, prepare
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.model import CorStatus, KnownOrganization, RequestFacts
from onboardd.parsers.prose import FROM_DOMAIN, FROM_SENTENCE, read_prose, read_sentences
from tests.parsers.support import CATALOG, CORS, mail

DIRECTORY = (
    KnownOrganization("Acme Health Solutions", ("Acme Health", "Acme Health Solutions LLC"),
                      frozenset({"acmehealth.example.com"})),
    KnownOrganization("Brightpath Analytics", ("Brightpath",),
                      frozenset({"brightpath.example.com"})),
)
OUTSIDER = "Pat Lee <pat.lee@mailhost.example.net>"


def facts_of(body: str, subject: str = "Access request",
             sender: str = "Jane Doe <jane@acmehealth.example.com>",
             organizations: tuple[KnownOrganization, ...] = ()) -> RequestFacts:
    return extract_facts(mail(f"From: {sender}\nSubject: {subject}", body), CATALOG, CORS,
                         organizations)


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
        # a name or a service before the count is no range
        ("Jira for Oriole Data Works LLC please - 4 users (QA team).", 4),
        ("- Jira - 12 users - to track defects", 12),
        ("We need the Portal for 5 of our release managers.", 5),
        ("They are 11 in number and need IDM.", 11),
        ("we need confluence, about 14 devs.", 14),
        ("Twenty-five people will use it.", 25),
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
        # the held-out probe's ways
        ("Hi onboarding team, Orchard Quality Reporting LLC would like Jira.",
         "Orchard Quality Reporting LLC"),
        ("As a next step, Pathfinder Measurement Solutions would now also like Jira.",
         "Pathfinder Measurement Solutions"),
        ("Evergreen Quality Alliance request Confluence for our team.",
         "Evergreen Quality Alliance"),
        ("Please to create the Jira access for our company Upland Informatics Group.",
         "Upland Informatics Group"),
        ("Here is the approval (Meridian Outcomes Research, LLC, 30 users).",
         "Meridian Outcomes Research, LLC"),
        ("Driftwood Systems Integration LLC again (we asked for Slack in January).",
         "Driftwood Systems Integration LLC"),
        ("We need Jira for 6 users.\n\nThanks,\nJennifer Kowalski\nQA Manager\n"
         "Alder Creek Consulting", "Alder Creek Consulting"),
        ("We need Jira.\n\nTasha Greene | Sagebrush Analytics Inc.", "Sagebrush Analytics Inc."),
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
        "Quick request from the help desk: we need Jira.",
        "Business justification: Staff need single sign-on.",
        "Forwarding Gabriel's request below.",
        "Please add Jira.\n\nDana Smith\nContracting Officer's Representative\n"
        "Department of Health and Human Services",
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
        # how the held-out probe's writers report it
        ("Our COR mister Robert Nguyen has given the approval already.", CorStatus.STATED),
        ("Approval is given by COR Mr. Daniel Brooks.", CorStatus.STATED),
        ("Our COR, David Kim (david.kim@cms.example.gov), gave his approval this morning.",
         CorStatus.STATED),
        ("COR ok'd it.", CorStatus.STATED),
        ("It needs 14 users, COR Keisha Howard approved.", CorStatus.STATED),
        ("We have not received the COR approval yet.", CorStatus.MISSING),
        ("Our COR has not given her approval.", CorStatus.MISSING),
        ("The COR approval was not given.", CorStatus.MISSING),
        ("Approval from our COR is not done yet.", CorStatus.MISSING),
        # a person who approved the request is its COR, named or not
        ("Maria Delgado approved this on 3/17.", CorStatus.STATED),
        ("Angela Pierce approved the request; her email is angela.pierce@cms.example.gov "
         "if you need to confirm.", CorStatus.STATED),
        ("Marcus Bell (our COR, marcus.bell@cms.example.gov) has approved the request.",
         CorStatus.STATED),
        ("Maria Delgado has not approved this yet.", CorStatus.MISSING),
        ("Maria Delgado approved it if the count stays under 10.", CorStatus.MISSING),
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


# --- whole prose requests ---------------------------------------------------------------------

@dataclass(frozen=True)
class Stated:
    """What a prose request states; `justification` is a phrase the reading must hold."""

    organization: str | None
    services: tuple[str, ...]
    user_count: int | None
    justification: str | None
    cor: CorStatus = CorStatus.MISSING
    cor_address: str | None = None


PROSE_REQUESTS = [
    ("Hi team,\n\nI'm Pat Lee from Northwind Data Services. We'd like access to Confluence for "
     "roughly two dozen people so that our analysts can publish release notes. Our COR, Dana "
     "Smith, has approved this request.\n\nThanks,\nPat\n",
     Stated("Northwind Data Services", ("Confluence",), 24, "publish release notes",
            CorStatus.STATED)),
    ("Hello,\n\nKeystone Health Informatics is requesting Slack for a team of 12 in order to "
     "coordinate the quarterly reporting cycle.\n\nBest regards\n",
     Stated("Keystone Health Informatics", ("Slack",), 12, "coordinate the quarterly")),
    ("Good morning,\n\nMy name is Pat Lee and I work at Riverbend Quality Partners. We need "
     "ServiceNow for 15 users to log incidents from the measure pipeline. It was approved by "
     "our COR dana.smith@cms.example.gov last Tuesday.\n\nPat Lee\nRiverbend Quality Partners\n"
     "Phone: 410-555-0100\n",
     Stated("Riverbend Quality Partners", ("ServiceNow",), 15, "log incidents",
            CorStatus.STATED, "dana.smith@cms.example.gov")),
    ("Hello,\n\nWriting on behalf of Harbor Point Consulting LLC. We need HARP access for "
     "about 30 accounts; the purpose is to manage user roles for our quality reporting staff. "
     "Dana Smith (COR) has approved.\n",
     Stated("Harbor Point Consulting LLC", ("HARP",), 30, "manage user roles",
            CorStatus.STATED)),
    ("Hi,\n\nWe're Lakeshore IT Partners, a small contractor on the ESRD task order. We would "
     "like Jira and Confluence for 5-10 staff to plan sprints and keep design notes. Our COR "
     "has not approved yet; I will forward her approval when I have it.\n",
     Stated("Lakeshore IT Partners", ("Jira", "Confluence"), 10, "plan sprints")),
    ("Hi there,\n\nGreetings from Summit Clinical Data! We need Slack for about 40 employees "
     "so the help desk can triage tickets faster. COR approval pending.\n",
     Stated("Summit Clinical Data", ("Slack",), 40, "triage tickets")),
    ("Hello,\n\nI am the program manager at Blue Heron Consulting. We need IDM for 25 people "
     "to sign in to the portal. Our COR, Dana Smith <dana.smith@cms.example.gov>, approved "
     "this on 3/2.\n",
     Stated("Blue Heron Consulting", ("Identity Management (IDM)",), 25, "sign in to the portal",
            CorStatus.STATED, "dana.smith@cms.example.gov")),
    ("Hello,\n\nWe have 2 factor authentication set up for all users and need Jira for 20 "
     "licenses for tracking test cases.\n",
     Stated(None, ("Jira",), 20, "tracking test cases")),
    ("Hi,\n\nSummit Clinical Data needs access to the Enterprise Portal for 50 seats. We need "
     "it for submitting quarterly measure files.\n",
     Stated("Summit Clinical Data", ("CMS Enterprise Portal",), 50, "submitting quarterly")),
    ("Hello,\n\nWe are a small team of 6 analysts at Northwind Data Services and need "
     "Confluence to share meeting notes.\n",
     Stated("Northwind Data Services", ("Confluence",), 6, "share meeting notes")),
    ("Hi,\n\nOur office is at 1200 Harbor Blvd, Baltimore, MD 21230. We need Jira for 7 staff "
     "to track defects. Meeting at 10:30 on 3/2.\n",
     Stated(None, ("Jira",), 7, "track defects")),
    ("Hello,\n\nThe COR for our contract is Dana Smith. Could you set us up with Jira for 10 "
     "users?\n",
     Stated(None, ("Jira",), 10, None)),
    ("Hello,\n\nOur COR Dana Smith will approve this once she is back next week. We need Slack "
     "for 9 users.\n",
     Stated(None, ("Slack",), 9, None)),
    ("Hi,\n\nContracting officer's representative Dana Smith approved our request for Jira on "
     "Monday.\n",
     Stated(None, ("Jira",), None, None, CorStatus.STATED)),
    ("Dear onboarding desk,\n\nOn behalf of the Granite Ridge Group, I'd like to request "
     "ServiceNow for approximately 45 personnel, to route help desk tickets.\n\nRegards,\n"
     "Pat Lee | Granite Ridge Group | (443) 555-0199\n",
     Stated("Granite Ridge Group", ("ServiceNow",), 45, "route help desk tickets")),
    ("Hi,\n\nHere at Copperline Health we need HARP Portal for up to 50 reviewers so our "
     "reviewers can manage measure submissions. Approved by our COR, "
     "dana.smith@cms.example.gov.\n",
     Stated("Copperline Health", ("HARP",), 50, "manage measure submissions",
            CorStatus.STATED, "dana.smith@cms.example.gov")),
    ("Hello,\n\nWe need Jira Software for three developers. Business justification: defect "
     "tracking for the claims release.\n",
     Stated(None, ("Jira",), 3, "defect tracking for the claims release")),
    ("Hi all,\n\nMy team at Meridian Analytics Group needs Confluence and Slack for 1,200 "
     "accounts to run the national training rollout.\n",
     Stated("Meridian Analytics Group", ("Confluence", "Slack"), 1200, "national training")),
    ("Hello,\n\nQuick note: we upgraded to Jira 9.4 and our contract 75FCMC21D0012 runs to "
     "2027. Call me at 410-555-0100 if you need anything.\n",
     Stated(None, ("Jira",), None, None)),
    ("Hi,\n\nI work for Acme Health and we need Jira for 12 users to track defects.\n",
     Stated("Acme Health", ("Jira",), 12, "track defects")),
    ("Hello,\n\nWe are Jira users already and need Confluence for our 8 testers as well.\n",
     Stated(None, ("Jira", "Confluence"), 8, None)),
    ("Hi,\n\nThis is Dana from Tidewater Informatics. We are requesting Slack for nearly 20 "
     "folks in order to replace our email threads. I can ask my COR to approve it if "
     "needed.\n",
     Stated("Tidewater Informatics", ("Slack",), 20, "replace our email threads")),
    # the purpose as people who "will" do something, as a use, as a want; the COR's
    # approval reported ("Our COR approved it")
    ("Hello,\n\nWe are Larkspur Analytics and need Jira for about 40 staff who will track "
     "defects for the new measure engine. Our COR approved it last Tuesday.\n",
     Stated("Larkspur Analytics", ("Jira",), 40, "track defects", CorStatus.STATED)),
    ("Hi,\n\nLarkspur Analytics is asking for Confluence. It will be used by our 20 analysts "
     "to publish the conversion guides.\n",
     Stated("Larkspur Analytics", ("Confluence",), 20, "publish the conversion guides")),
    ("Hi,\n\nWe want Confluence for 9 reviewers to document our analytics pipelines.\n",
     Stated(None, ("Confluence",), 9, "document our analytics pipelines")),
    ("Hi,\n\nI want to thank you for setting up Jira for our 6 testers last year.\n",
     Stated(None, ("Jira",), 6, None)),
    # counts with words between them and their people, other roles, "N-person team"
    ("Hi,\n\nCopperleaf Quality is requesting HARP for 8 new quality improvement advisors.\n",
     Stated("Copperleaf Quality", ("HARP",), 8, None)),
    ("Hi,\n\nWe need Slack so our 12-member team can coordinate with CMS.\n",
     Stated(None, ("Slack",), 12, "coordinate with CMS")),
    ("Hello,\n\nWe need Okta IDM for roughly one hundred nurse reviewers.\n",
     Stated(None, ("Identity Management (IDM)",), 100, None)),
    ("Hello,\n\nWe need HARP for two dozen new abstractors.\n",
     Stated(None, ("HARP",), 24, None)),
    ("Hello,\n\nWe need Jira; see version 2 of the users guide.\n",
     Stated(None, ("Jira",), None, None)),
    # an organization named as organizations end their names, after "for", "from", "at"
    # or as a heading; never a service, an agency team or a phrase like "Quality Review"
    ("Hello,\n\nPlease add Jira for Granite State Quality Improvement. Around 20 of our "
     "staff will use it.\n",
     Stated("Granite State Quality Improvement", ("Jira",), 20, None)),
    ("Hi,\n\nRequest from Pioneer Healthcare Quality:\n\nWe need HARP for 12 new analysts.\n",
     Stated("Pioneer Healthcare Quality", ("HARP",), 12, None)),
    ("Hi,\n\nIt is just us at Pinnacle Data Group who will need Confluence.\n",
     Stated("Pinnacle Data Group", ("Confluence",), None, None)),
    ("Hi,\n\nWe need Slack for the CMS Quality Measures team; please send it for Quality "
     "Review.\n",
     Stated(None, ("Slack",), None, None)),
]


@pytest.mark.parametrize(("body", "stated"), PROSE_REQUESTS,
                         ids=[f"prose-{i}" for i in range(len(PROSE_REQUESTS))])
def test_prose_requests_are_read_as_stated_and_no_further(body: str, stated: Stated) -> None:
    facts = facts_of(body, sender=OUTSIDER)
    assert facts.organization == stated.organization
    assert facts.services == stated.services
    assert facts.user_count == stated.user_count
    if stated.justification is None:
        assert facts.justification is None
    else:
        assert facts.justification is not None
        assert stated.justification in facts.justification
        assert not facts.justification.startswith("to ")
    assert facts.cor.status is stated.cor
    assert facts.cor.address == stated.cor_address
    for fact, place in facts.sources:
        assert place == FROM_SENTENCE, fact  # no labels in these mails


def test_a_cor_sentence_gives_the_name_and_address_not_the_sentence() -> None:
    facts = facts_of("Hello,\n\nWe need Jira. Our COR, Dana Smith <dana.smith@cms.example.gov>, "
                     "approved this on 3/2.\n")
    assert facts.cor.name == "Dana Smith"
    assert facts.cor_value == "approved by Dana Smith <dana.smith@cms.example.gov>"


def test_a_prose_request_in_an_html_only_mail() -> None:
    parsed = mail("From: Jane Doe <jane@example.org>\nSubject: Access\n"
                  "Content-Type: text/html; charset=utf-8",
                  "<html><body><p>Hello,</p><p>We are <b>Brightpath Analytics</b> and need "
                  "<i>Confluence</i> for about 14 analysts to share study protocols.</p>"
                  "</body></html>\n")
    facts = extract_facts(parsed, CATALOG, CORS)
    assert (facts.organization, facts.services, facts.user_count) == (
        "Brightpath Analytics", ("Confluence",), 14)
    assert facts.justification == "share study protocols"


def test_quoted_text_states_nothing() -> None:
    facts = facts_of("Thanks, see below.\n\nOn Mon, Mar 2, 2026 at 9:00 AM Sam wrote:\n"
                     "> We are Brightpath Analytics and need Jira for 40 users to track "
                     "defects.\n")
    assert (facts.organization, facts.user_count, facts.justification) == (None, None, None)


# --- the sender is not the organization ------------------------------------------------------

def test_the_sender_named_after_this_is_is_no_organization() -> None:
    body = "Hello,\n\nThis is Jane Doe requesting Confluence for fifteen team members.\n"
    assert facts_of(body, sender="Jane Doe <jane@example.org>").organization is None


@pytest.mark.parametrize("body", [
    "This is URGENT: we need Jira for 5 users.",
    "We are CMS contractors and need Jira for 10 users.",
    "Greetings from the CMS team! Jira for 10 users, please.",
    "Thanks,\nJane Doe\nSenior Developer, Claims Team",
])
def test_words_that_look_like_a_name_are_no_organization(body: str) -> None:
    assert facts_of(f"Hello,\n\n{body}\n", sender=OUTSIDER).organization is None


# --- the policy's organizations ---------------------------------------------------------------

def test_a_stated_organization_takes_the_directory_name() -> None:
    facts = facts_of("Hello,\n\nI work for Acme Health and need Jira for 12 users.\n",
                     sender=OUTSIDER, organizations=DIRECTORY)
    assert facts.organization == "Acme Health Solutions"
    assert facts.source_of("organization") == FROM_SENTENCE


def test_a_known_organization_named_anywhere_in_the_mail() -> None:
    facts = facts_of("Hi,\n\nPlease add Jira for 6 developers.\n\nSam Park\nBrightpath | "
                     "Data Engineering\n", sender=OUTSIDER, organizations=DIRECTORY)
    assert facts.organization == "Brightpath Analytics"
    assert facts.source_of("organization") == FROM_SENTENCE


def test_the_sender_domain_names_its_organization() -> None:
    for sender in ("Jane Doe <jane@acmehealth.example.com>",
                   "Jane Doe <jane@mail.acmehealth.example.com>"):
        facts = facts_of("Hi,\n\nNeed Slack for 3 people to chat with the CMS team.\n",
                         sender=sender, organizations=DIRECTORY)
        assert facts.organization == "Acme Health Solutions"
        assert facts.source_of("organization") == FROM_DOMAIN


@pytest.mark.parametrize(("body", "sender"), [
    # Two known organizations named: which one is the sender's is not said.
    ("Our analysts sit with the Acme Health and Brightpath teams; Jira for 4 users, please.",
     OUTSIDER),
    # A domain that only ends like one of theirs.
    ("Jira for 4 users, please.", "Eve <eve@notacmehealth.example.com>"),
    # No directory entry for the domain.
    ("Jira for 4 users, please.", OUTSIDER),
])
def test_the_directory_gives_no_organization_it_cannot_tell(body: str, sender: str) -> None:
    assert facts_of(f"Hi,\n\n{body}\n", sender=sender,
                    organizations=DIRECTORY).organization is None


def test_a_stated_organization_outside_the_directory_beats_the_domain() -> None:
    facts = facts_of("Hi,\n\nWe are Granite Ridge Group (a subcontractor) and need Jira for 4 "
                     "users.\n", sender="Jane Doe <jane@acmehealth.example.com>",
                     organizations=DIRECTORY)
    assert facts.organization == "Granite Ridge Group"


def test_a_labelled_organization_is_not_replaced_by_the_directory() -> None:
    facts = facts_of("Organization: Granite Ridge Group\nService: Jira\n",
                     organizations=DIRECTORY)
    assert facts.organization == "Granite Ridge Group"
    assert facts.source_of("organization") == "labels"


def test_read_prose_reads_only_the_facts_asked_for() -> None:
    text = "We are Acme Health and need Jira for about 40 users to track defects."
    assert read_prose(text, {"user_count"}) == {"user_count": ("about 40", FROM_SENTENCE)}
    assert read_prose(text, {"organization"}, organizations=DIRECTORY) == {
        "organization": ("Acme Health Solutions", FROM_SENTENCE)}


def test_the_directory_travels_to_the_parse_worker() -> None:
    """The parse worker gets its Reading by pickling; the organizations must survive it."""
    reading = pickle.loads(pickle.dumps(Reading(CATALOG, CORS, DIRECTORY)))
    raw = (b"From: Jane Doe <jane@acmehealth.example.com>\nSubject: Jira\n"
           b"Message-ID: <w1@acmehealth.example.com>\n\nWe need Jira for 5 users.\n")
    prepared = prepare(raw, 1_000_000, reading)
    assert prepared.facts is not None
    assert prepared.facts.organization == "Acme Health Solutions"
    assert prepared.facts.source_of("organization") == FROM_DOMAIN


def test_the_harp_organization_name_asked_as_a_question_names_no_service() -> None:
    facts = facts_of("Dear Team,\n\nQ1. What is the name of your organization (HARP "
                     "organization name preferred)?\nHorizon Health Solutions Group\n\nQ2. "
                     "Which service do you need?\nJira, for 6 developers.\n")
    assert facts.services == ("Jira",)


@pytest.mark.parametrize(
    ("subject", "body", "services"),
    [
        # what the mail asks for is in its subject; the text names what they already have
        ("Confluence request", "Acme also needs Confluence (we already have Slack).",
         ("Confluence",)),
        ("Slack - Acme", "11 users, the same team that has Jira.", ("Slack",)),
        # the text may list more beside the subject's
        ("Access for Acme to Jira", "We need access to Jira and Confluence.",
         ("Jira", "Confluence")),
        ("Access request", "We need Jira, and Confluence later on.", ("Jira", "Confluence")),
        # a writer who capitalises nothing
        ("jira/confluence", "hi - kestrel here. we need confluence and jira. thanks",
         ("Jira", "Confluence")),
        ("Request", "We need Jira. There is some slack in our plan.", ("Jira",)),
    ],
)
def test_services_named_in_prose(subject: str, body: str, services: tuple[str, ...]) -> None:
    assert facts_of(body, subject=subject).services == services


def test_the_senders_own_forwarded_request_states_its_facts() -> None:
    body = (
        "Forwarding the thread with Dana's approval.\n\nJane\n\n"
        "________________________________\n"
        "From: Dana Smith <dana.smith@cms.example.gov>\nSent: Friday, March 13, 2026 2:40 PM\n"
        "To: Jane Doe <jane@acmehealth.example.com>\nSubject: RE: Jira\n\n"
        "Approved.\n\nDana\n\n"
        "________________________________\n"
        "From: Jane Doe <jane@acmehealth.example.com>\nSent: Friday, March 13, 2026 11:05 AM\n"
        "To: Dana Smith <dana.smith@cms.example.gov>\nSubject: Jira\n\n"
        "Name of Organization (HARP Organization Name Preferred): Acme Health Solutions\n"
        "Name of QualityNet IT Service: Jira\n"
        "Business Justification for Use of Service: Track defects.\n"
        "Estimated Number of Users: 22\n"
        "COR Approval: (pending your reply)\n")
    facts = facts_of(body)
    assert (facts.organization, facts.services, facts.user_count) == (
        "Acme Health Solutions", ("Jira",), 22)
    assert facts.cor.status is CorStatus.FORWARDED
    assert dict(facts.sources)["user_count"] == "your own earlier mail, forwarded"
    # Someone else's forwarded request states nothing for this sender.
    other = facts_of(body.replace("From: Jane Doe <jane@acmehealth.example.com>\nSent: Friday",
                                  "From: Pat Roe <pat@elsewhere.example.com>\nSent: Friday"))
    assert other.user_count is None and other.organization is None


@pytest.mark.parametrize(
    ("body", "justification"),
    [
        ("Hawthorne Quality Solutions needs Jira for defect tracking. 8 users.",
         "for defect tracking"),
        ("Please add Slack for Orchard Quality Reporting LLC - 9 users, for quick "
         "coordination with the CMS team.", "for quick coordination with the CMS team"),
        ("We need IDM for the group we requested HARP for in January, so they can complete "
         "MFA before the submission period.", "they can complete MFA before the submission period"),
        ("We would like to request access to Confluence for our team. We need it to "
         "document our runbooks.", "document our runbooks"),
        ("Juniper Measures Group would love to get on Slack so our measure leads can ask "
         "the CMS team quick questions.", "our measure leads can ask the CMS team quick questions"),
        ("Please add ServiceNow for Ironbark. 4 users, needed for change tickets on the "
         "OQR release.", "for change tickets on the OQR release"),
        ("We'd like Confluence for Umber Street; it's for the architecture decision records.",
         "for the architecture decision records"),
        ("Coriander Labs is requesting IDM for 7 admins who handle role provisioning.",
         "handle role provisioning"),
        ("We need it because the CMS team logs its data requests in Jira.",
         "the CMS team logs its data requests in Jira"),
        ("Our operations staff will be using it to report data feed failures.",
         "report data feed failures"),
        # who and how many are no purpose
        ("Wrenfield Analytics needs Confluence for our new hires, 7 people.", None),
        ("We need Jira for 10 users.", None),
    ],
)
def test_what_a_service_is_for(body: str, justification: str | None) -> None:
    assert facts_of(f"Hello,\n\n{body}\n").justification == justification


def test_a_cor_line_may_report_the_approval_received() -> None:
    facts = facts_of("COR approval: received 2/20 from Priya Raman\n")
    assert facts.cor.status is CorStatus.STATED
    assert facts_of("COR approval: not received yet\n").cor.status is CorStatus.MISSING


def test_a_person_approving_gives_the_address_that_follows() -> None:
    facts = facts_of("Priya Raman approved this on 3/10 - priya.raman@cms.example.gov.\n")
    assert (facts.cor.status, facts.cor.address) == (CorStatus.STATED,
                                                     "priya.raman@cms.example.gov")
