"""Write the request mails of the evaluation set, and the reading each one should get.

The set is composed, with a fixed seed, from parts written for it: organizations and
their people, services as people name them, justifications, user counts as people write
them, many wordings of each label, the layouts a form takes in a mail (colon lines, tab
rows, values under their label, bullets, numbers, bold, no colon), the way each mail
client sends it (Outlook's plain part beside its Word HTML, Gmail's asterisks, Apple
Mail's no-break spaces, Thunderbird's flowed lines, phones, HTML alone), sentences
instead of labels, the COR's approval stated, copied, forwarded by each client, sent in
person or not given at all, answers to our missing-fields notice, and signatures,
contract numbers and dates that are not user counts.

The files are committed, so the set is fixed and can be read and reviewed; run
`python -m evaluation.make_requests` to write it anew after changing a part (the same
seed writes the same bytes).
"""

from __future__ import annotations

import html
import random
import shutil
import textwrap
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from evaluation.outlook_msg import a_msg

OUT = Path(__file__).with_name("requests")
SEED = 20261205
OURS = ("CCSQ Onboarding", "onboarding@onboard.example.gov")
FACTS = ("organization", "services", "justification", "user_count", "cor")


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    @property
    def first(self) -> str:
        return self.name.split()[0]

    def formatted(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class Org:
    name: str
    domain: str
    people: tuple[str, ...]


ORGS = (
    Org("Acme Health Solutions", "acmehealth.example.com", ("Jane Doe", "Raj Patel")),
    Org("Brightpath Analytics", "brightpath.example.net", ("Rosa Delgado", "Tom Wu")),
    Org("Lakeshore IT Partners", "lakeshore-it.example.com", ("Mark Okafor", "Ana Silva")),
    Org("Northwind Quality Group", "northwindqg.example.org", ("Emily Chen", "Sam Reyes")),
    Org("Summit Clinical Data LLC", "summitcd.example.com", ("Priya Nair", "Ben Adler")),
    Org("Blue Heron Consulting", "blueheron.example.com", ("Chris Moore", "Lena Fox")),
    Org("Keystone Health Informatics", "keystonehi.example.com", ("Omar Haddad", "Kim Lee")),
    Org("Redwood Federal Services", "redwoodfed.example.com", ("Grace Kim", "Paul Berg")),
    Org("Tidewater Measures Inc.", "tidewater.example.net", ("Noah Grant", "Ivy Stone")),
    Org("Granite Peak Solutions", "granitepeak.example.com", ("Maya Ross", "Leo Park")),
    Org("Cedar Ridge Analytics", "cedarridge.example.org", ("Hana Ito", "Eli Cohen")),
    Org("Harborview Data Systems", "harborview.example.com", ("Zoe Clark", "Ravi Shah")),
    Org("Pioneer Quality Partners", "pioneerqp.example.com", ("Luke Hall", "Nina Volk")),
    Org("Silverline Health IT", "silverline.example.net", ("Ada Price", "Joe Marsh")),
    Org("Meridian Outcomes Research", "meridianor.example.org", ("Ken Ito", "Sara Lind")),
    Org("Oakmont Digital Health", "oakmontdh.example.com", ("Tess Wong", "Ian Doyle")),
    Org("Peña & Torres Health Analytics", "penatorres.example.com",
        ("José Álvarez", "Marta Peña")),
    Org("O'Connell Data Partners", "oconnelldata.example.com",
        ("Siobhán O'Connell", "Dev Mehta")),
    Org("Bayside Care Metrics, Inc.", "baysidecm.example.net", ("Wen Zhou", "Carla Ruiz")),
    Org("Fairmont Quality Improvement Org", "fairmontqio.example.org",
        ("Derek Shaw", "Amara Obi")),
    Org("Three Rivers Health Data", "threerivershd.example.com", ("Jon Berg", "Lia Novak")),
    Org("Crescent Informatics Group", "crescentig.example.com", ("Fatima Khan", "Will Ames")),
    Org("Evergreen Evaluation Services", "evergreen-eval.example.net",
        ("Ruth Ogden", "Ty Nguyen")),
    Org("Zoë Research Collaborative", "zoeresearch.example.org", ("Björn Lund", "Ama Mensah")),
)
# COR addresses: the [cor] domain of config.example.toml, and people outside it who
# approve nothing (a contractor's own manager).
CORS = (
    Person("Dana Smith", "dana.smith@cms.example.gov"),
    Person("Luis Ortega", "luis.ortega@cms.example.gov"),
    Person("Priya Raman", "priya.raman@cms.example.gov"),
    Person("Marcus Bell", "marcus.bell@cms.example.gov"),
    Person("Helen Tran", "helen.tran@cms.example.gov"),
)
# Catalog names (config.example.toml) and the ways people write them.
SERVICES = {
    "Jira": ("Jira", "JIRA", "Atlassian Jira", "Jira Software", "jira"),
    "Confluence": ("Confluence", "Confluence Wiki", "Atlassian Confluence", "the Wiki"),
    "Slack": ("Slack", "Slack Enterprise Grid", "Slack workspace"),
    "ServiceNow": ("ServiceNow", "SNOW", "Service Now", "ServiceNow ITSM"),
    "HARP": ("HARP", "HARP Portal", "HCQIS Access Roles and Profile"),
    "Identity Management (IDM)": ("IDM", "Identity Management (IDM)", "Okta IDM",
                                  "Identity Management"),
    "CMS Enterprise Portal": ("CMS Enterprise Portal", "Enterprise Portal", "CMS Portal"),
}
# Tools people ask for that the catalog does not offer: never a catalog service.
NOT_OFFERED = ("Tableau", "SharePoint", "GitHub Enterprise", "Zoom for Government")
# (the justification as written, a phrase the reading must contain, the same need as a
# purpose clause for sentences)
JUSTIFICATIONS = (
    ("Our analysts track quality-reporting defects with the CMS team.",
     "quality-reporting defects", "so our analysts can track quality-reporting defects"),
    ("We need to share measure specifications with the CMS measure stewards.",
     "measure specifications", "to share measure specifications with the measure stewards"),
    ("The help desk staff will triage hospital submission issues.",
     "hospital submission issues", "so the help desk can triage hospital submission issues"),
    ("Our developers coordinate releases of the abstraction tool.",
     "releases of the abstraction tool", "to coordinate releases of the abstraction tool"),
    ("To document data validation findings for each quarter.",
     "data validation findings", "to document data validation findings each quarter"),
    ("Program staff must join the weekly eCQM working sessions.",
     "eCQM working sessions", "so program staff can join the weekly eCQM working sessions"),
    ("We support the outpatient quality reporting program and file incidents.",
     "outpatient quality reporting", "to file incidents for the outpatient quality reporting "
                                     "program"),
    ("Needed for managing user roles for our new task order.",
     "user roles for our new task order", "for managing user roles for our new task order"),
    ("Coordinating with CMS on the hospice survey contract deliverables.",
     "hospice survey", "to coordinate the hospice survey deliverables with CMS"),
    ("Our team will maintain the specifications manual drafts.",
     "specifications manual", "so our team can maintain the specifications manual drafts"),
    ("Tracking remediation items from the annual security assessment.",
     "annual security assessment", "to track remediation items from the annual security "
                                   "assessment"),
    ("Staff need single sign-on to reach the reporting dashboards.",
     "reporting dashboards", "so staff can sign on to the reporting dashboards"),
    ("Nurse abstractors will upload chart-abstracted measure data.",
     "chart-abstracted measure data", "so nurse abstractors can upload chart-abstracted "
                                      "measure data"),
    ("We run the end-stage renal disease network help line and log every call.",
     "renal disease network", "to log calls for the end-stage renal disease network"),
    ("Our statisticians review the star ratings methodology with CMS each month.",
     "star ratings methodology", "to review the star ratings methodology with CMS"),
    ("The new task order requires us to publish sprint plans to the government team.",
     "sprint plans", "to publish sprint plans to the government team"),
    ("Onboarding of the data quality contractor team for the MIPS feedback reports.",
     "MIPS feedback reports", "to work on the MIPS feedback reports"),
    ("We answer provider questions on the hospital inpatient program in real time.",
     "provider questions", "to answer provider questions on the inpatient program"),
)
# (how a count is written in a labelled value, the number it means)
COUNTS = (("25", 25), ("40", 40), ("12", 12), ("about 40", 40), ("approximately 15", 15),
          ("1,200", 1200), ("twenty-five", 25), ("up to 50", 50), ("8", 8), ("~30", 30),
          ("60 users", 60), ("3", 3), ("100", 100), ("roughly 20", 20), ("Fifteen (15)", 15),
          ("35 staff", 35), ("approx. 45", 45), ("7 (seven)", 7), ("18 users initially", 18),
          ("Estimated 22", 22), ("two", 2), ("250", 250), ("9 people", 9), ("ten", 10))
# (how a count is said in a sentence, the number it means)
SPOKEN_COUNTS = (("about 40 staff", 40), ("a team of 12", 12), ("25 users", 25),
                 ("roughly 30 people", 30), ("8 analysts", 8), ("around 15 developers", 15),
                 ("six nurse abstractors", 6), ("20 accounts", 20), ("fifty users", 50),
                 ("a group of 9 reviewers", 9), ("some 14 team members", 14),
                 ("35 seats", 35))

LABELS = {
    "organization": (
        "Name of Organization (HARP Organization Name Preferred)", "Name of Organization",
        "Organization Name", "Organization", "HARP Organization Name", "Org Name",
        "Company", "Company Name", "Contractor", "Contractor name", "Organisation",
        "Name of the organization", "HARP Org Name", "Contracting company",
        "Name of Organization (HARP Org Name)", "Organization (HARP name)",
        "Requesting organization", "Vendor name", "Contractor organization",
        "Name of Company/Organization"),
    "services": (
        "Name of QualityNet IT Service", "Name of QualityNet IT Service(s)", "Service(s)",
        "Services", "Service requested", "Requested services", "IT Service(s)",
        "Name of HCQIS IT Service", "CCSQ service(s) requested", "Application",
        "Application name", "Service Name", "QualityNet service", "Tools needed",
        "QualityNet IT Service(s) Requested", "Name of the QualityNet IT Service",
        "Name of CCSQ IT Service", "HCQIS application(s)", "System(s) requested",
        "IT service requested", "Service(s) needed"),
    "justification": (
        "Business Justification for Use of Service", "Business Justification",
        "Justification", "Business justification for use of the service(s)",
        "Reason for request", "Business need", "Purpose", "Reason",
        "Justification for access", "Business Justification for the Use of the Service",
        "Use case", "Purpose of access", "Business Justification for Use of Services",
        "Justification for use of service(s)", "Reason for access",
        "Why the service is needed", "Business reason"),
    "user_count": (
        "Estimated Number of Users", "Number of users", "Estimated # of Users", "# of users",
        "Users", "User count", "Estimated users", "How many users", "No. of users",
        "Expected number of users", "Estimated number of user accounts", "Total users",
        "Number of users requesting access", "Estimated seats", "Est. number of users",
        "Estimated Number of User(s)", "Approx. # of users", "Number of Users (estimate)",
        "Anticipated number of users", "Users needing access"),
    "cor": ("COR Approval", "COR approval", "COR Approval Status",
            "Contracting Officer's Representative approval", "COR sign-off",
            "COR Approval (name and email)", "Approval from COR", "COR approved",
            "CMS COR approval", "COR Approval Obtained"),
}
PUBLISHED = {fact: words[0] for fact, words in LABELS.items()}
COR_STATED = (
    "Approved by {name} <{email}>", "approved by {name} ({email})",
    "Yes - {name}, {email}", "{name} <{email}> approved on 3/2",
    "Approved - {email}", "Granted by {name} {email}",
    "Yes, approved by {name} ({email}) on 02/27/2026", "Approved ({email})",
    "Yes. {name}, {email}, approved this request by email on March 2.",
    "{name} ({email}) - approved", "Received from {name} <{email}>: approved",
    "Yes, our COR {name} <{email}> approved it", "Confirmed by {name}, {email}")
# COR values that give no approval: the truth is "missing" whatever else they say.
COR_NOT_GIVEN = (
    "Pending", "Pending - will forward once received", "To follow",
    "Requested from {name} on 3/1, awaiting reply", "TBD", "Not yet",
    "{name} <{email}> (approval to follow)", "Will send separately",
    "In progress with {name}", "N/A")
SIGNATURES = (
    "{person}\nProgram Manager | {org}\nPhone: 410-555-0142 | Cell: (443) 555-0199\n",
    "{person}\n{org}\n1200 Harbor Blvd, Suite 400, Baltimore, MD 21230\n"
    "Office: 410.555.0100 x25\n",
    "Thanks,\n{person}\nContract 75FCMC21D0012, Task Order 75FCMC23F0044\n",
    "Best regards,\n{person}\nProject Lead, {org}\nM: +1 202 555 0173\n",
    "Regards,\n{person}\nSent 03/02/2026 from the Q2 planning session, room 214\n",
    "Thank you,\n{person}\nSenior Analyst\n{org}\n"
    "P: 301-555-0187 | F: 301-555-0188\n",
    "{person}\nData Operations, {org}\n7500 Security Blvd, Mail Stop 12, Woodlawn MD 21244\n",
    "Cheers,\n{person}\nDirector of Delivery | {org}\n"
    "Contract No. HHSM-500-2017-00015I | CAGE 7X2K1\n",
    "Kind regards,\n{person}\n{org} | ISO 9001:2015 certified since 2019\n"
    "Direct: 240.555.0111 Ext. 4412\n",
    "v/r,\n{person}\nTask Lead, {org}\nPeriod of performance: 09/30/2025 - 09/29/2026\n",
)
DISCLAIMERS = (
    "CONFIDENTIALITY NOTICE: This e-mail, including any attachments, is for the sole use "
    "of the intended recipient(s) and may contain confidential information. Any review or "
    "distribution by others is prohibited. If you are not the intended recipient, please "
    "contact the sender and delete all copies.",
    "This message and any files sent with it are meant only for the person or organization "
    "to which they are addressed. If you received it by mistake, tell the sender and erase "
    "it; do not copy or forward it.",
    "Please consider the environment before printing this email. 1 ream of paper = 6% of a "
    "tree.",
)
GREETINGS = ("Hello,", "Hi Onboarding Team,", "Good morning,", "Hello CCSQ Onboarding,",
             "Dear Onboarding Services Team,", "Hi all,", "Good afternoon,", "Team,",
             "Hi there,", "Greetings,")
OPENERS = ("Please onboard us to an additional QualityNet service.",
           "We would like to request access to an additional service.",
           "Below is our request for an additional service.",
           "Requesting access per the onboarding page.",
           "Submitting the information requested for a new service.",
           "Please see our request below.",
           "Following the steps on the onboarding page, here is our request.",
           "Our team needs one more service; the details are below.",
           "I'm sending the form for a new service on behalf of my team.",
           "As discussed with our COR, we are requesting a new service.")
CLOSERS = ("Please let me know if you need anything else.", "Thank you for your help.",
           "Let me know if anything is missing.", "", "Thanks in advance!",
           "Happy to answer any questions.")

# The layouts a labelled form takes in plain text.
LAYOUTS = ("colon", "tab", "next-line", "blank-between", "bullets", "numbered", "bold",
           "asterisks", "no-colon", "dash", "aligned", "caps")
# Clients: how a mail's parts, headers and signature are sent.
CLIENTS = ("outlook", "outlook-cells", "gmail", "apple", "thunderbird", "iphone",
           "android", "html-only", "plain")


@dataclass
class Truth:
    """The reading a careful clerk would give one mail; None means absent."""

    organization: str | None = None
    services: list[str] = field(default_factory=list)
    justification: str | None = None  # a phrase the reading must contain
    user_count: int | None = None
    cor_status: str = "missing"
    cor_address: str = ""  # "" with a status other than missing: no address named
    published_form: bool = False


@dataclass
class Draft:
    """A request about to be laid out: the values written, their labels and their truth."""

    org: Org
    person: Person
    values: dict[str, str]
    labels: dict[str, str]
    truth: Truth
    order: list[str]
    purpose: str = ""  # the justification as a purpose clause, for sentences
    extras: list[tuple[str, str]] = field(default_factory=list)  # other labelled lines
    signature: tuple[str, ...] = ()  # instead of one drawn from SIGNATURES
    opener: str = ""  # instead of one drawn from OPENERS

    def rows(self) -> list[tuple[str, str]]:
        rows = [(self.labels[f], self.values[f]) for f in self.order if f in self.values]
        return rows + self.extras


class Writer:
    """Numbers the mails, writes each file and collects the truth of each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: list[str] = []
        self.number = 0

    def write(self, kind: str, client: str, raw: bytes, layout: str, truth: Truth) -> None:
        self.number += 1
        name = f"{self.number:03d}-{kind}-{client}.eml"
        (self.folder / name).write_bytes(raw)
        self.entries.append(_entry(name, kind, client, layout, truth))


def main(folder: Path = OUT) -> None:
    """Write the set into `folder` (emptied first)."""
    try:
        import docx  # noqa: F401
        import pypdf  # noqa: F401
    except ImportError:
        raise SystemExit("make_requests writes DOCX and PDF attachments: "
                         "pip install python-docx pypdf") from None
    rng = random.Random(SEED)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    out = Writer(folder)
    _published(rng, out)
    _wordings(rng, out)
    _missing(rng, out)
    _cor_cases(rng, out)
    _forwards(rng, out)
    _prose_mails(rng, out)
    _notice_replies(rng, out)
    _attachments(rng, out)
    _traps(rng, out)
    _saved_outlook_mails(rng, out)
    (folder / "expected.toml").write_text(
        "# Written by evaluation/make_requests.py: the reading each mail of this folder\n"
        "# should get. A fact that is absent has no key and is named in `absent`;\n"
        "# `justification` is a phrase the reading must contain; `cor_address` is empty\n"
        "# when the evidence names no address.\n\n" + "\n".join(out.entries),
        encoding="utf-8")
    print(f"wrote {out.number} mails to {folder}")


# -- the sets ------------------------------------------------------------------------


def _published(rng: random.Random, out: Writer) -> None:
    """The five published labels word for word, in every client and most layouts."""
    for index in range(64):
        client = CLIENTS[index % len(CLIENTS)]
        layout = LAYOUTS[(index * 5) % len(LAYOUTS)]
        draft = _draft(rng, published=True)
        out.write("published", client, *_labelled_mail(rng, draft, client, layout),
                  draft.truth)


def _wordings(rng: random.Random, out: Writer) -> None:
    """Every label wording, in every layout and client."""
    for index in range(140):
        client = CLIENTS[index % len(CLIENTS)]
        layout = LAYOUTS[index % len(LAYOUTS)]
        draft = _draft(rng, published=False, wording=index)
        out.write("wording", client, *_labelled_mail(rng, draft, client, layout),
                  draft.truth)


def _missing(rng: random.Random, out: Writer) -> None:
    """Facts genuinely left out, with numbers around that are not user counts."""
    for index in range(48):
        client = CLIENTS[index % len(CLIENTS)]
        layout = rng.choice(LAYOUTS)
        draft = _draft(rng, published=rng.random() < 0.5)
        wanted = ("organization", "services", "justification", "user_count", "cor")
        dropped = rng.sample(wanted, rng.choice((1, 1, 2, 2, 3)))
        if index % 3 == 0 and "user_count" not in dropped:
            dropped.append("user_count")
        for fact in dropped:
            _drop(draft, fact)
        if "user_count" in dropped:
            draft.extras += rng.sample(_NUMBER_LINES, rng.choice((1, 2)))
        if "cor" not in dropped and index % 4 == 1:
            # The value is there, but it is no approval.
            cor = rng.choice(CORS)
            draft.values["cor"] = rng.choice(COR_NOT_GIVEN).format(name=cor.name,
                                                                   email=cor.email)
            draft.truth.cor_status, draft.truth.cor_address = "missing", ""
            draft.truth.published_form = False
        out.write("missing", client, *_labelled_mail(rng, draft, client, layout),
                  draft.truth)


_NUMBER_LINES = (
    ("Contract Number", "75FCMC21D0012"), ("Task Order", "75FCMC23F0044"),
    ("Period of Performance", "09/30/2025 - 09/29/2026"), ("Phone", "(410) 555-0142"),
    ("Contract #", "HHSM-500-2017-00015I"), ("Start date", "4/1/2026"),
    ("Point of contact phone", "301.555.0187"), ("Option year", "2"),
)


def _cor_cases(rng: random.Random, out: Writer) -> None:
    """The COR sending in person, only copied, named without an address, or not approving."""
    for index in range(14):
        client = CLIENTS[index % len(CLIENTS)]
        cor = rng.choice(CORS)
        draft = _draft(rng, published=rng.random() < 0.5)
        _drop(draft, "cor")
        draft.truth.cor_status, draft.truth.cor_address = "verified", cor.email
        draft.person = cor
        draft.signature = ("Thanks,", cor.name, "Contracting Officer's Representative",
                           "CMS / Center for Clinical Standards and Quality",
                           "Phone: 410-555-0120")
        draft.opener = rng.choice((
            "I am the COR for this contract; please set up the service below for the team.",
            "Sending this request for my contractor team, with my approval.",
            "As COR I approve the following request. Details below."))
        layout = rng.choice(LAYOUTS[:4])
        out.write("from-cor", client, *_labelled_mail(rng, draft, client, layout),
                  draft.truth)
    for index in range(14):
        client = CLIENTS[(index + 3) % len(CLIENTS)]
        cor = rng.choice(CORS)
        draft = _draft(rng, published=rng.random() < 0.5)
        _drop(draft, "cor")
        draft.truth.cor_status, draft.truth.cor_address = "stated", cor.email
        layout = rng.choice(LAYOUTS)
        out.write("cor-on-cc", client,
                  *_labelled_mail(rng, draft, client, layout, cc=[cor]), draft.truth)
    for index in range(8):
        # An approval stated with a name and no address, and no COR on copy.
        client = CLIENTS[(index + 5) % len(CLIENTS)]
        cor = rng.choice(CORS)
        draft = _draft(rng, published=rng.random() < 0.5)
        draft.values["cor"] = rng.choice((
            "Approved by {name}", "Yes - approved by {name} on 3/2", "Yes ({name})",
            "{name} approved this on 02/26/2026")).format(name=cor.name)
        draft.truth.cor_status, draft.truth.cor_address = "stated", ""
        layout = rng.choice(LAYOUTS)
        out.write("cor-no-address", client, *_labelled_mail(rng, draft, client, layout),
                  draft.truth)
    for index in range(10):
        # A COR line that says the approval is still to come, with the COR perhaps copied
        # to show it is being asked for: still no approval.
        client = CLIENTS[(index + 1) % len(CLIENTS)]
        cor = rng.choice(CORS)
        draft = _draft(rng, published=rng.random() < 0.5)
        draft.values["cor"] = rng.choice(COR_NOT_GIVEN).format(name=cor.name,
                                                               email=cor.email)
        draft.truth.cor_status, draft.truth.cor_address = "missing", ""
        draft.truth.published_form = False
        layout = rng.choice(LAYOUTS)
        out.write("cor-not-given", client, *_labelled_mail(rng, draft, client, layout),
                  draft.truth)


def _forwards(rng: random.Random, out: Writer) -> None:
    """The COR's approving mail forwarded below the request, as each client forwards it;
    then forwards that are no COR approval (not a COR, or a COR who has not approved)."""
    styles = ("outlook-text", "outlook-original", "outlook-html", "gmail", "apple",
              "thunderbird", "iphone", "rfc822", "outlook-reply-chain")
    for index in range(54):
        style = styles[index % len(styles)]
        cor = rng.choice(CORS)
        draft = _draft(rng, published=rng.random() < 0.4)
        draft.values["cor"] = rng.choice(("See the forwarded approval below",
                                          "Attached / below", "Yes, see below",
                                          "Forwarded below", "See email below"))
        if index % 3 == 0:
            _drop(draft, "cor")
        draft.truth.cor_status, draft.truth.cor_address = "forwarded", cor.email
        draft.truth.published_form = False
        words = rng.choice(_COR_APPROVALS).format(
            svc=draft.values.get("services", "the service"), org=draft.org.name,
            person=draft.person.first)
        out.write("forward", style, _forward_mail(rng, draft, style, cor, words), "labels",
                  draft.truth)
    outsiders = ("Karen Wills", "Steve Ng", "Olivia Hart")
    for index in range(16):
        style = styles[index % len(styles)]
        draft = _draft(rng, published=False)
        _drop(draft, "cor")
        if index % 2 == 0:
            # Approved, but by the contractor's own manager: no COR evidence.
            name = rng.choice(outsiders)
            sender = Person(name, f"{name.split()[0].lower()}.{name.split()[1].lower()}"
                                  f"@{draft.org.domain}")
            words = rng.choice(_COR_APPROVALS).format(
                svc=draft.values["services"], org=draft.org.name, person=draft.person.first)
            kind = "forward-not-cor"
        else:
            sender = rng.choice(CORS)
            words = rng.choice(_COR_HOLDING).format(svc=draft.values["services"],
                                                    person=draft.person.first)
            kind = "forward-no-approval"
        out.write(kind, style, _forward_mail(rng, draft, style, sender, words), "labels",
                  draft.truth)


_COR_APPROVALS = (
    "I approve the request for {svc} for {org}.",
    "Approved. Please go ahead and send the request to the onboarding team.",
    "{person}, you have my approval to request {svc}.",
    "I concur with adding {svc} for the {org} team.",
    "Hi {person},\n\nThis is approved. Please include this email with your request.",
    "{person} - approved from my side. Go ahead and submit it.",
    "Yes, I approve {svc} access for your team under the current task order.",
    "Approved for the {org} staff listed in your note.",
)
_COR_HOLDING = (
    "Before I approve {svc}, can you tell me how many of your staff need it?",
    "{person}, I can't approve this yet; please send the justification first.",
    "Let me check with the program office and get back to you on {svc}.",
    "I'm not able to approve this until the new task order is signed.",
)


def _prose_mails(rng: random.Random, out: Writer) -> None:
    """Requests told in sentences, some with a fact left out, some with numbers that are
    not user counts."""
    for index in range(50):
        client = ("plain", "iphone", "gmail", "outlook", "apple", "thunderbird",
                  "android", "html-only")[index % 8]
        draft = _draft(rng, published=False)
        cor = rng.choice(CORS)
        count_words, count = rng.choice(SPOKEN_COUNTS)
        draft.truth.user_count = count
        draft.truth.cor_status, draft.truth.cor_address = "stated", cor.email
        left_out = rng.choice(((), (), (), ("user_count",), ("cor",), ("justification",),
                               ("organization",)))
        for fact in left_out:
            _drop(draft, fact)
        body = _prose(rng, draft, index, count_words, cor)
        out.write("prose", client,
                  _body_mail(rng, draft, client, body, subject=_prose_subject(rng, draft)),
                  "sentences", draft.truth)


def _notice_replies(rng: random.Random, out: Writer) -> None:
    """Answers to our missing-fields notice that give one fact, over the quoted notice."""
    styles = ("outlook", "gmail", "apple", "iphone", "thunderbird", "plain")
    for index in range(36):
        style = styles[index % len(styles)]
        org = rng.choice(ORGS)
        person = _person(org, rng.choice(org.people))
        truth = Truth()
        needed = ("user_count", "cor", "justification", "services", "organization")[index % 5]
        if needed == "user_count":
            written, count = rng.choice(COUNTS[:16] + SPOKEN_COUNTS[:4])
            answer = rng.choice((f"Estimated Number of Users: {written}",
                                 f"Number of users: {written}",
                                 f"Estimated Number of Users:\n{written}"))
            truth.user_count = count
        elif needed == "cor":
            cor = rng.choice(CORS)
            answer = "COR Approval: " + rng.choice(COR_STATED).format(name=cor.name,
                                                                     email=cor.email)
            truth.cor_status, truth.cor_address = "stated", cor.email
        elif needed == "justification":
            text, phrase, _ = rng.choice(JUSTIFICATIONS)
            answer = rng.choice(("Business Justification for Use of Service: ",
                                 "Business justification: ", "Justification: ")) + text
            truth.justification = phrase
        elif needed == "services":
            name = rng.choice(sorted(SERVICES))
            answer = rng.choice(("Name of QualityNet IT Service: ", "Service: ",
                                 "Services requested: ")) + rng.choice(SERVICES[name])
            truth.services = [name]
        else:
            answer = rng.choice(("Name of Organization (HARP Organization Name Preferred): ",
                                 "Organization: ", "Name of Organization: ")) + org.name
            truth.organization = org.name
        out.write("notice-reply", style, _notice_reply(rng, style, person, org, answer, index),
                  "reply", truth)


def _attachments(rng: random.Random, out: Writer) -> None:
    """The form filled in and attached as DOCX or PDF; the COR's mail saved and attached
    as a file; and attachments that carry no request (the facts are in the body)."""
    for index in range(28):
        draft = _draft(rng, published=rng.random() < 0.6)
        kind, layout = (("docx", "table"), ("docx", "paragraphs"), ("pdf", "colon"),
                        ("pdf", "stacked"))[index % 4]
        client = ("outlook", "gmail", "apple", "plain")[index % 3 if index % 7 else 3]
        if kind == "docx":
            blob = _docx(draft, layout)
            maintype, subtype = "application", \
                "vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            blob = _pdf(draft, layout)
            maintype, subtype = "application", "pdf"
        filename = rng.choice(("Onboarding request form.{ext}", "{org} - service request.{ext}",
                               "QualityNet_IT_Service_Request.{ext}", "request_form_filled."
                               "{ext}")).format(ext=kind, org=draft.org.name)
        body = [rng.choice(GREETINGS), "",
                rng.choice(("Please find our request form attached.",
                            "Our filled-in form for an additional service is attached.",
                            "Attached is the completed request form. Let us know if you need "
                            "anything else.",
                            "I've attached the form from the onboarding page, filled in.")),
                ""]
        draft.truth.published_form = False
        out.write(f"attached-{kind}", client,
                  _attached_mail(rng, draft, client, body, [(blob, maintype, subtype,
                                                             filename)]),
                  f"{kind}-{layout}", draft.truth)
    for index in range(6):
        # The COR's approving mail saved from the mail client and attached as a file.
        cor = rng.choice(CORS)
        draft = _draft(rng, published=False)
        draft.values["cor"] = "See the attached approval email"
        draft.truth.cor_status, draft.truth.cor_address = "forwarded", cor.email
        inner = _envelope(cor, "RE: approval for additional service", stamp=index)
        inner.replace_header("To", draft.person.formatted())
        inner.replace_header("Date", "Mon, 02 Mar 2026 16:12:00 -0500")
        inner.set_content(rng.choice(_COR_APPROVALS).format(
            svc=draft.values["services"], org=draft.org.name, person=draft.person.first)
            + f"\n\n{cor.name}\nContracting Officer's Representative\n")
        client = ("outlook", "gmail", "apple")[index % 3]
        body = [rng.choice(GREETINGS), "", rng.choice(OPENERS), "",
                *_form_lines(draft.rows(), rng.choice(("colon", "tab", "next-line")))]
        out.write("attached-eml", client,
                  _attached_mail(rng, draft, client, body, [(
                      _fixed(inner), "application", "octet-stream",
                      "COR approval.eml")]), "labels+eml", draft.truth)
    for index in range(6):
        # The request in the body; the attachment is something else, full of numbers.
        draft = _draft(rng, published=rng.random() < 0.5)
        draft.truth.published_form = False
        client = ("outlook", "gmail", "apple")[index % 3]
        body = [rng.choice(GREETINGS), "", rng.choice(OPENERS), "",
                *_form_lines(draft.rows(), rng.choice(("colon", "tab", "bullets"))), "",
                "I've also attached our signed rules of behavior."]
        other = _pdf_lines([
            ("Rules of Behavior - Acknowledgment", True), ("Version 3.2, revised 01/15/2026",
                                                           False),
            ("I have read the 12 rules below and agree to follow them.", False),
            ("Signed: " + draft.person.name, False), ("Date: 03/02/2026", False),
            ("Employee ID: 400213   Phone: 410-555-0142", False)])
        out.write("attached-other", client,
                  _attached_mail(rng, draft, client, body, [(
                      other, "application", "pdf", "Rules of Behavior - signed.pdf")]),
                  "labels+pdf", draft.truth)


def _saved_outlook_mails(rng: random.Random, out: Writer) -> None:
    """The COR's approving mail saved from Outlook and attached as a .msg file; and one
    saved from someone who is not a COR, which approves nothing. Written last, so the
    mails before keep their bytes."""
    for index in range(8):
        from_cor = index < 6
        draft = _draft(rng, published=False)
        draft.values["cor"] = "See the attached approval email"
        if from_cor:
            cor = rng.choice(CORS)
            first, _, last = cor.name.rpartition(" ")
            sender_name, sender_address = f"{last}, {first}", cor.email  # as Outlook shows
            draft.truth.cor_status, draft.truth.cor_address = "forwarded", cor.email
        else:
            # "See the attached approval" points at a mail the COR did not write: the
            # approval is still to be had, as if the line were not there.
            sender_name, sender_address = draft.person.name, draft.person.email
            draft.truth.cor_status, draft.truth.cor_address = "missing", ""
        text = rng.choice(_COR_APPROVALS).format(
            svc=draft.values["services"], org=draft.org.name, person=draft.person.first)
        saved = a_msg(sender_name, sender_address, "RE: approval for additional service",
                      f"{text}\n\n{sender_name}\n")
        client = ("outlook", "gmail", "apple")[index % 3]
        body = [rng.choice(GREETINGS), "", rng.choice(OPENERS), "",
                *_form_lines(draft.rows(), rng.choice(("colon", "tab", "next-line")))]
        out.write("attached-msg", client,
                  _attached_mail(rng, draft, client, body, [(
                      saved, "application", "vnd.ms-outlook", "RE approval.msg")]),
                  "labels+msg", draft.truth)


def _traps(rng: random.Random, out: Writer) -> None:
    """Lines that look like a fact and are none: the COR's contact details with no word of
    approval, a user count not known yet, services the team already has, an agreement
    number under a service-like label."""
    for index in range(28):
        client = CLIENTS[index % len(CLIENTS)]
        draft = _draft(rng, published=False)
        twist = index % 4
        if twist == 0:
            cor = rng.choice(CORS)
            label = rng.choice(("COR", "COR name", "COR contact", "Our COR",
                                "Contracting Officer's Representative"))
            _drop(draft, "cor")
            draft.extras.append((label, rng.choice(("{name} <{email}>", "{name}, {email}",
                                                    "{email}")).format(name=cor.name,
                                                                        email=cor.email)))
        elif twist == 1:
            _drop(draft, "user_count")
            draft.values["user_count"] = rng.choice((
                "TBD", "To be confirmed", "Varies by month", "See attached list", "Unknown yet",
                "Will confirm next week"))
        elif twist == 2:
            others = [n for n in SERVICES if n not in draft.truth.services]
            already = rng.sample(others, 2)
            draft.opener = rng.choice((
                "We already use {a} and {b} with the CMS team; we now need one more service.",
                "Our team has had {a} and {b} for a year. This request is for something "
                "else.")).format(a=SERVICES[already[0]][0], b=SERVICES[already[1]][0])
        else:
            draft.extras.append(rng.choice((
                ("Service Agreement No.", "GS-35F-0119Y"), ("Service contract", "75FCMC21D0012"),
                ("Users' guide", "version 3.2"), ("Number", "410-555-0142"))))
        layout = rng.choice(LAYOUTS)
        out.write("trap", client, *_labelled_mail(rng, draft, client, layout), draft.truth)


def _attached_mail(rng: random.Random, draft: Draft, client: str, body: list[str],
                   files: list[tuple[bytes, str, str, str]]) -> bytes:
    message = _envelope(draft.person, _subject(rng, draft), stamp=rng.randrange(900))
    _client_headers(message, client)
    tail = ["", *_signature(rng, draft)]
    if client == "outlook":
        message.set_content("\n".join([*body, *tail]) + "\n", cte="quoted-printable")
        message.add_alternative(_word_html(body, [], tail, "table"), subtype="html",
                                cte="quoted-printable")
    elif client in ("gmail", "apple"):
        message.set_content("\n".join([*body, *tail]) + "\n")
        message.add_alternative(_div_html(body, [], tail, "plain"), subtype="html")
    else:
        message.set_content("\n".join([*body, *tail]) + "\n")
    for blob, maintype, subtype, filename in files:
        message.add_attachment(blob, maintype=maintype, subtype=subtype, filename=filename)
    return _fixed(message)


def _docx(draft: Draft, layout: str) -> bytes:
    """The form as Word writes it: a two-column table, or bold labels in paragraphs."""
    import io
    import zipfile

    import docx  # python-docx: needed only to write the set anew

    document = docx.Document()
    document.core_properties.author = draft.person.name
    document.core_properties.created = datetime(2026, 3, 2, 15, 0)
    document.core_properties.modified = datetime(2026, 3, 2, 15, 0)
    document.add_heading("Request for an Additional QualityNet IT Service", level=1)
    rows = draft.rows()
    if layout == "table":
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].paragraphs[0].add_run(label).bold = True
            cells[1].text = value
    else:
        for label, value in rows:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
    document.add_paragraph(f"Submitted by {draft.person.name}, {draft.person.email}")
    written = io.BytesIO()
    document.save(written)
    # The same bytes on every run: each zip member gets one fixed time stamp.
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(written.getvalue())) as source, \
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2026, 3, 2, 15, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return fixed.getvalue()


def _pdf(draft: Draft, layout: str) -> bytes:
    """The form printed to PDF: label and value on a line, or the value under its label."""
    lines: list[tuple[str, bool]] = [("Request for an Additional QualityNet IT Service", True),
                                     ("", False)]
    for label, value in draft.rows():
        if layout == "colon":
            lines += [(piece, False) for piece in
                      textwrap.wrap(f"{label}: {value}", 90, break_on_hyphens=False)]
        else:
            lines += [(label, True),
                      *((piece, False) for piece in textwrap.wrap(value, 90,
                                                                  break_on_hyphens=False)),
                      ("", False)]
    lines += [("", False), (f"Submitted by {draft.person.name}", False)]
    return _pdf_lines(lines)


def _pdf_lines(lines: list[tuple[str, bool]]) -> bytes:
    """A one-page PDF of text lines (bold where flagged), written with pypdf."""
    import io

    from pypdf import PdfWriter  # needed only to write the set anew
    from pypdf.generic import ContentStream, DictionaryObject, NameObject

    def font(name: str) -> DictionaryObject:
        return DictionaryObject({
            NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject(name),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})

    def escaped(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): font("/Helvetica"), NameObject("/F2"): font("/Helvetica-Bold")})})
    commands = ["BT", "72 720 Td", "15 TL"]
    for text, bold in lines:
        commands.append(f"/{'F2' if bold else 'F1'} 11 Tf ({escaped(text)}) Tj T*")
    commands.append("ET")
    content = ContentStream(None, writer)
    content.set_data("\n".join(commands).encode("cp1252", errors="replace"))
    page.replace_contents(content)
    writer.add_metadata({"/Producer": "onboardd evaluation set"})
    written = io.BytesIO()
    writer.write(written)
    return written.getvalue()


# -- drafting ------------------------------------------------------------------------


def _person(org: Org, name: str) -> Person:
    first, last = name.split()[0], name.split()[-1]
    folded = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    plain = "".join(c for c in folded if (c.isascii() and c.isalnum()) or c == ".")
    return Person(name, f"{plain}@{org.domain}")


def _draft(rng: random.Random, *, published: bool, wording: int | None = None) -> Draft:
    org = rng.choice(ORGS)
    names = rng.sample(sorted(SERVICES), rng.choice((1, 1, 1, 2, 2, 3)))
    written = [rng.choice(SERVICES[name]) for name in names]
    if not published and rng.random() < 0.08:
        written.insert(rng.randrange(len(written) + 1), rng.choice(NOT_OFFERED))
    joiner = rng.choice((", ", " and ", "; ", ", ", " & ", " / "))
    if len(written) > 2:
        services = ", ".join(written[:-1]) + rng.choice((", and ", " and ", ", ")) \
            + written[-1]
    else:
        services = joiner.join(written)
    justification, phrase, purpose = rng.choice(JUSTIFICATIONS)
    count_text, count = rng.choice(COUNTS)
    cor = rng.choice(CORS)
    stated = rng.choice(COR_STATED).format(name=cor.name, email=cor.email)
    values = {"organization": org.name, "services": services,
              "justification": justification, "user_count": count_text, "cor": stated}
    if wording is None:
        labels = {fact: PUBLISHED[fact] if published else rng.choice(words)
                  for fact, words in LABELS.items()}
    else:
        # Walk each fact's wordings in turn, so every wording is used.
        labels = {fact: words[(wording + offset) % len(words)]
                  for offset, (fact, words) in enumerate(LABELS.items())}
    order = list(FACTS)
    if not published and rng.random() < 0.25:
        rng.shuffle(order)
    truth = Truth(org.name, names, phrase, count, "stated", cor.email, published)
    draft = Draft(org, _person(org, rng.choice(org.people)), values, labels, truth, order,
                  purpose)
    if rng.random() < 0.2:
        so = _person(org, rng.choice(org.people))
        draft.extras.append(("Security Official", so.formatted()))
    if rng.random() < 0.15:
        draft.extras.append(rng.choice(_NUMBER_LINES))
    return draft


def _drop(draft: Draft, fact: str) -> None:
    draft.values.pop(fact, None)
    if fact == "cor":
        draft.truth.cor_status, draft.truth.cor_address = "missing", ""
    elif fact == "user_count":
        draft.truth.user_count = None
    elif fact == "services":
        draft.truth.services = []
    else:
        setattr(draft.truth, fact, None)
    draft.truth.published_form = False


# -- the form in plain text ----------------------------------------------------------


def _form_lines(rows: list[tuple[str, str]], layout: str) -> list[str]:
    lines: list[str] = []
    width = max(len(label) for label, _ in rows) + 2 if rows else 0
    for number, (label, value) in enumerate(rows, start=1):
        if layout == "colon":
            lines.append(f"{label}: {value}")
        elif layout == "tab":
            lines.append(f"{label}\t{value}")
        elif layout == "next-line":
            lines += [f"{label}:", value]
        elif layout == "blank-between":
            lines += [f"{label}:", "", value, ""]
        elif layout == "bullets":
            lines.append(f"{'-•*'[number % 3]} {label}: {value}")
        elif layout == "numbered":
            lines.append(f"{number}. {label}: {value}")
        elif layout == "bold":
            lines.append(f"**{label}:** {value}")
        elif layout == "asterisks":
            # Gmail's plain part writes bold text between single asterisks.
            lines.append(f"*{label}:* {value}")
        elif layout == "no-colon":
            lines += [label, value, ""]
        elif layout == "dash":
            lines.append(f"{label} - {value}")
        elif layout == "aligned":
            lines.append(f"{(label + ':').ljust(width)}{value}")
        elif layout == "caps":
            lines.append(f"{label.upper()}: {value}")
    return lines


def _text_form(draft: Draft, layout: str) -> list[str]:
    if draft.values.get("services") and layout in ("next-line", "blank-between") \
            and " and " not in draft.values["services"] and ", " in draft.values["services"] \
            and len(draft.values["services"]) < 60:
        # A list of services, one a line, under its label.
        rows = draft.rows()
        label = draft.labels["services"]
        lines: list[str] = []
        for row_label, value in rows:
            if row_label == label:
                lines += [f"{label}:", *(f"- {s.strip()}" for s in value.split(",")), ""]
            else:
                lines += _form_lines([(row_label, value)], layout)
        return lines
    return _form_lines(draft.rows(), layout)


# -- the form in HTML ----------------------------------------------------------------


_WORD_HEAD = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w="urn:schemas-microsoft-com:office:word" '
    'xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
    'xmlns="http://www.w3.org/TR/REC-html40"><head>'
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">'
    "<style><!--\n/* Font Definitions */\n@font-face\n\t{font-family:\"Cambria Math\";\n"
    "\tpanose-1:2 4 5 3 5 4 6 3 2 4;}\n@font-face\n\t{font-family:Calibri;}\n"
    "/* Style Definitions */\np.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0in;\n"
    "\tfont-size:11.0pt;\n\tfont-family:\"Calibri\",sans-serif;}\n"
    "span.EmailStyle17\n\t{mso-style-type:personal-compose;}\n"
    ".MsoChpDefault\n\t{mso-style-type:export-only;}\n"
    "div.WordSection1\n\t{page:WordSection1;}\n--></style>"
    '<!--[if gte mso 9]><xml>\n<o:shapedefaults v:ext="edit" spidmax="1026" />\n'
    "</xml><![endif]--></head>"
    '<body lang="EN-US" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">'
    '<div class="WordSection1">')


def _word_paragraph(text: str) -> str:
    if not text:
        return "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
    return f"<p class=MsoNormal>{html.escape(text)}<o:p></o:p></p>\n"


def _word_html(head: list[str], rows: list[tuple[str, str]], tail: list[str],
               style: str) -> str:
    """Outlook's Word HTML: MsoNormal paragraphs, <o:p>, a MsoTableGrid table."""
    parts = [_WORD_HEAD, *(_word_paragraph(line) for line in head)]
    if style == "table":
        parts.append('<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 '
                     'style="border-collapse:collapse;border:none">\n')
        for label, value in rows:
            parts.append(
                '<tr><td width=312 valign=top style="width:233.75pt;border:solid windowtext '
                '1.0pt;padding:0in 5.4pt 0in 5.4pt"><p class=MsoNormal><b>'
                f"{html.escape(label)}<o:p></o:p></b></p></td>"
                '<td width=312 valign=top style="width:233.75pt;border:solid windowtext '
                '1.0pt;border-left:none;padding:0in 5.4pt 0in 5.4pt"><p class=MsoNormal>'
                f"{html.escape(value)}<o:p></o:p></p></td></tr>\n")
        parts.append("</table>\n")
    else:
        # Bold labels in paragraphs, the label's words split over spans as Word does
        # after an edit.
        for label, value in rows:
            words = label.split(" ")
            cut = max(1, len(words) // 2)
            first, second = " ".join(words[:cut]), " ".join(words[cut:])
            label_html = (f"<b><span style='color:#1F3864'>{html.escape(first)}"
                          f"{' ' if second else ''}</span></b><b><span "
                          f"style='color:#1F3864'>{html.escape(second)}:</span></b>"
                          if second else f"<b>{html.escape(first)}:</b>")
            parts.append(f"<p class=MsoNormal>{label_html} "
                         f"<span style='font-size:11.0pt'>{html.escape(value)}</span>"
                         "<o:p></o:p></p>\n")
    parts += [_word_paragraph(line) for line in tail]
    parts.append("</div></body></html>\n")
    return "".join(parts)


def _div_html(head: list[str], rows: list[tuple[str, str]], tail: list[str], style: str,
              *, body_attrs: str = "", nbsp: bool = False) -> str:
    """HTML as Gmail, Apple Mail and web forms write it."""
    def div(text: str) -> str:
        return f"<div>{html.escape(text)}</div>" if text else "<div><br></div>"

    gap = "&nbsp;" if nbsp else " "
    if style == "bold":
        form = "".join(f"<div><b>{html.escape(k)}:</b>{gap}{html.escape(v)}</div>"
                       for k, v in rows)
    elif style == "plain":
        form = "".join(div(f"{k}: {v}") for k, v in rows)
    elif style == "table":
        form = ('<table border="1" cellspacing="0" cellpadding="4" '
                'style="border-collapse:collapse"><tbody>'
                + "".join(f"<tr><th align=\"left\">{html.escape(k)}</th>"
                          f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
                + "</tbody></table>")
    elif style == "dl":
        form = "<dl>" + "".join(f"<dt><b>{html.escape(k)}</b></dt><dd>{html.escape(v)}</dd>"
                                for k, v in rows) + "</dl>"
    elif style == "list":
        form = "<ul>" + "".join(f"<li><strong>{html.escape(k)}:</strong> "
                                f"{html.escape(v)}</li>" for k, v in rows) + "</ul>"
    else:  # "stacked": the label in bold, the value on the next line
        form = "".join(f"<p><strong>{html.escape(k)}</strong><br>{html.escape(v)}</p>"
                       for k, v in rows)
    return (f"<html><head><meta http-equiv=\"content-type\" content=\"text/html; "
            f"charset=utf-8\"></head><body{body_attrs}>"
            + "".join(div(line) for line in head) + form
            + "".join(div(line) for line in tail) + "</body></html>\n")


# -- clients -------------------------------------------------------------------------


def _envelope(sender: Person, subject: str, *, cc: list[Person] | None = None,
              stamp: int = 0) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender.formatted()
    message["To"] = f"{OURS[0]} <{OURS[1]}>"
    if cc:
        message["Cc"] = ", ".join(p.formatted() for p in cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
                                      + timedelta(minutes=7 * stamp))
    message["Message-ID"] = f"<eval.{stamp}.{sender.email.split('@')[0]}@" \
                            f"{sender.email.split('@')[1]}>"
    return message


def _client_headers(message: EmailMessage, client: str) -> None:
    if client.startswith("outlook"):
        message["Thread-Topic"] = message["Subject"]
        message["Content-Language"] = "en-US"
        message["X-MS-Has-Attach"] = ""
    elif client in ("apple",):
        message["X-Mailer"] = "Apple Mail (2.3774.500.171)"
    elif client == "iphone":
        message["X-Mailer"] = "iPhone Mail (21E236)"
    elif client == "thunderbird":
        message["User-Agent"] = "Mozilla Thunderbird"


def _subject(rng: random.Random, draft: Draft) -> str:
    services = draft.values.get("services", "additional service")
    subjects = [f"New service request: {services}", "Additional QualityNet IT service request",
                f"Access request ({services})", "Onboarding request",
                "Request - new service for our team"]
    if draft.truth.organization:
        # Only where the mail gives its organization: a subject naming it would give it.
        subjects += [f"Request for additional service - {draft.org.name}",
                     f"{draft.org.name} - request for {services} access",
                     f"FW: {draft.org.name} request"]
    return rng.choice(subjects)


def _signature(rng: random.Random, draft: Draft) -> list[str]:
    if draft.signature:
        return list(draft.signature)
    # A mail that leaves its organization out does not name it in the signature either,
    # or the truth would be in doubt.
    choices = SIGNATURES if draft.truth.organization else \
        tuple(s for s in SIGNATURES if "{org}" not in s)
    lines = rng.choice(choices).format(person=draft.person.name,
                                       org=draft.org.name).rstrip("\n").split("\n")
    if rng.random() < 0.3:
        lines += ["", rng.choice(DISCLAIMERS)]
    return lines


def _labelled_mail(rng: random.Random, draft: Draft, client: str, layout: str, *,
                   cc: list[Person] | None = None) -> tuple[bytes, str]:
    """The mail's bytes, and the layout its form really has (a client may impose one)."""
    head = [rng.choice(GREETINGS), "", draft.opener or rng.choice(OPENERS), ""]
    closer = rng.choice(CLOSERS)
    signature = _signature(rng, draft)
    tail = ["", *([closer, ""] if closer else []), *signature]
    message = _envelope(draft.person, _subject(rng, draft), cc=cc, stamp=rng.randrange(900))
    _client_headers(message, client)
    rows = draft.rows()
    if client == "outlook":
        # Outlook desktop: the plain part writes the Word table as tab rows.
        plain = [*head, *_form_lines(rows, "tab"), *tail]
        message.set_content("\n".join(plain) + "\n", cte="quoted-printable")
        word = rng.choice(("table", "table", "paragraphs"))
        message.add_alternative(_word_html(head, rows, tail, word), subtype="html",
                                cte="quoted-printable")
        layout = f"tab+word-{word}"
    elif client == "outlook-cells":
        # Outlook's plain part with each table cell on a line of its own (or, now and
        # then, the table dropped altogether); the Word HTML has the table.
        if rng.random() < 0.25:
            form: list[str] = []
            layout = "none+word-table"
        else:
            form = [cell for row in rows for cell in (row[0], "", row[1], "")]
            layout = "cells+word-table"
        message.set_content("\n".join([*head, *form, *tail]) + "\n", cte="quoted-printable")
        message.add_alternative(_word_html(head, rows, tail, "table"), subtype="html",
                                cte="quoted-printable")
    elif client == "gmail":
        bold = layout in ("bold", "asterisks")
        plain = [*head, *_form_lines(rows, "asterisks" if bold else layout), *tail]
        message.set_content("\n".join(plain) + "\n")
        style = "bold" if bold else ("table" if layout in ("tab", "aligned") else "plain")
        message.add_alternative(_div_html(head, rows, tail, style,
                                          body_attrs=' dir="ltr"'), subtype="html")
        layout = f"{'asterisks' if bold else layout}+html-{style}"
    elif client == "apple":
        # Apple Mail puts a no-break space after a label it wrote in bold.
        bold = layout in ("bold", "asterisks")
        form = [f"{k}:\u00a0{v}" for k, v in rows] if bold else _form_lines(rows, layout)
        layout = "nbsp+html-bold" if bold else f"{layout}+html-plain"
        message.set_content("\n".join([*head, *form, *tail]) + "\n", cte="quoted-printable")
        message.add_alternative(
            _div_html(head, rows, tail, "bold" if bold else "plain", nbsp=bold,
                      body_attrs=' style="overflow-wrap: break-word; -webkit-nbsp-mode: '
                                 'space; line-break: after-white-space;"'),
            subtype="html", cte="quoted-printable")
    elif client == "thunderbird":
        text = "\n".join([*head, *_text_form(draft, layout), "",
                          *([closer] if closer else []), "-- ", *signature]) + "\n"
        _set_flowed(message, text)
    elif client == "iphone":
        lines = [*head, *_text_form(draft, layout), "", "Sent from my iPhone"]
        message.set_content(_curly("\n".join(lines)) + "\n", cte="quoted-printable")
    elif client == "android":
        lines = [*head, *_text_form(draft, layout), "",
                 rng.choice(("Get Outlook for Android", "Sent from my Galaxy",
                             "Sent from Yahoo Mail on Android"))]
        message.set_content("\n".join(lines) + "\n")
    elif client == "html-only":
        style = {"tab": "table", "aligned": "table", "next-line": "stacked",
                 "blank-between": "stacked", "no-colon": "dl", "bullets": "list",
                 "numbered": "list"}.get(layout, "bold" if layout in ("bold", "asterisks",
                                                                      "caps") else "plain")
        message.set_content(_div_html(head, rows, tail, style), subtype="html")
        layout = f"html-{style}"
    else:
        message.set_content("\n".join([*head, *_text_form(draft, layout), *tail]) + "\n")
    return _fixed(message), layout


def _body_mail(rng: random.Random, draft: Draft, client: str, body: list[str], *,
               subject: str) -> bytes:
    """A mail whose words are given, as `client` sends them."""
    message = _envelope(draft.person, subject, stamp=rng.randrange(900))
    _client_headers(message, client)
    tail = ["", *_signature(rng, draft)]
    if client == "iphone":
        message.set_content(_curly("\n".join([*body, "", "Sent from my iPhone"])) + "\n",
                            cte="quoted-printable")
    elif client == "android":
        message.set_content("\n".join([*body, "", "Sent from my Galaxy"]) + "\n")
    elif client == "thunderbird":
        _set_flowed(message, "\n".join([*body, "", "-- ", *tail[1:]]) + "\n")
    elif client in ("gmail", "apple", "outlook"):
        message.set_content("\n".join([*body, *tail]) + "\n", cte="quoted-printable")
        markup = _word_html(body, [], tail, "table") if client == "outlook" else \
            _div_html(body, [], tail, "plain")
        message.add_alternative(markup, subtype="html", cte="quoted-printable")
    elif client == "html-only":
        message.set_content(_div_html(body, [], tail, "plain"), subtype="html")
    else:
        message.set_content("\n".join([*body, *tail]) + "\n")
    return _fixed(message)


def _set_flowed(message: EmailMessage, text: str) -> None:
    """Thunderbird's format=flowed: long lines broken at 72 with a trailing space."""
    lines: list[str] = []
    for line in text.split("\n"):
        if line == "-- " or len(line) <= 72:
            lines.append(line.rstrip(" ") if line != "-- " else line)
            continue
        pieces = textwrap.wrap(line, 72, break_long_words=False, break_on_hyphens=False)
        lines += [piece + " " for piece in pieces[:-1]] + pieces[-1:]
    body = "\n".join(" " + line if line.startswith((">", "From ", " ")) else line
                     for line in lines)
    cte = "7bit" if body.isascii() else "8bit"
    message.set_content(body, cte=cte, params={"format": "flowed"})


def _curly(text: str) -> str:
    """A phone's smart punctuation: curly apostrophes, and quotes that open and close."""
    out = []
    quote_open = False
    for index, char in enumerate(text):
        if char == "'":
            out.append("\u2019")
        elif char == '"':
            out.append("\u201d" if quote_open else "\u201c")
            quote_open = not quote_open
        elif char == "-" and text[index - 1:index] == " " and text[index + 1:index + 2] == " ":
            out.append("\u2013")
        else:
            out.append(char)
    return "".join(out)


# -- forwards ------------------------------------------------------------------------


def _forward_mail(rng: random.Random, draft: Draft, style: str, cor: Person,
                  words: str) -> bytes:
    """The request in labels, with a mail from `cor` saying `words` forwarded beneath."""
    requester = draft.person
    cor_mail = f"{words}\n\nThanks,\n{cor.name}\n" + (
        "Contracting Officer's Representative\nCenters for Medicare & Medicaid Services"
        if cor.email.endswith("cms.example.gov") else f"{draft.org.name}")
    subject = "RE: approval for additional service"
    head = [rng.choice(GREETINGS), "",
            rng.choice(("Our request is below, with our COR's approval forwarded.",
                        "Please see the request below; the COR's approval is forwarded.",
                        "Forwarding our COR's approval along with the request.",
                        "Request details below. Approval email from our COR included.")), ""]
    form = _form_lines(draft.rows(), rng.choice(("colon", "colon", "tab", "bullets")))
    own = [*head, *form, "", "Thanks,", requester.name, ""]
    message = _envelope(requester, rng.choice((
        f"FW: {subject}", f"Fwd: {subject}", f"Request for {draft.values['services']}",
        f"{draft.org.name} service request - COR approval included")),
        stamp=rng.randrange(900))
    _client_headers(message, style)
    sent = "Monday, March 2, 2026 4:12 PM"
    if style in ("rfc822",):
        message.set_content("\n".join(own) + "\n")
        inner = _envelope(cor, subject, stamp=rng.randrange(900))
        inner.replace_header("To", requester.formatted())
        inner.replace_header("Date", "Mon, 02 Mar 2026 16:12:00 -0500")
        inner.set_content(cor_mail + "\n")
        message.add_attachment(inner)
        return _fixed(message)
    if style == "outlook-html":
        block = ["________________________________", f"From: {cor.formatted()}",
                 f"Sent: {sent}", f"To: {requester.formatted()}", f"Subject: {subject}", ""]
        message.set_content("\n".join([*own, *block, cor_mail]) + "\n",
                            cte="quoted-printable")
        header_html = _outlook_header_html(cor, sent, requester.formatted(), subject)
        markup = _word_html(head, draft.rows(), ["", "Thanks,", requester.name, ""],
                            "table").replace(
            "</div></body></html>",
            header_html + "".join(_word_paragraph(line) for line in cor_mail.split("\n"))
            + "</div></body></html>")
        message.add_alternative(markup, subtype="html", cte="quoted-printable")
        return _fixed(message)
    if style == "outlook-reply-chain":
        # The thread forwarded whole: the COR's answer on top of the requester's question.
        block = ["From: " + cor.formatted(), f"Sent: {sent}",
                 f"To: {requester.formatted()}", f"Subject: {subject}", "", cor_mail, "",
                 f"From: {requester.formatted()}", "Sent: Monday, March 2, 2026 9:03 AM",
                 f"To: {cor.formatted()}", "Subject: approval for additional service", "",
                 f"Hi {cor.first},", "",
                 "Could you approve our request for an additional service? The details are "
                 "in the attached form.", "", "Thanks,", requester.name]
        message.set_content("\n".join([*own, "-----Original Message-----", *block]) + "\n")
        return _fixed(message)
    block = {
        "outlook-text": ["________________________________", f"From: {cor.formatted()}",
                         f"Sent: {sent}", f"To: {requester.formatted()}",
                         f"Subject: {subject}", ""],
        "outlook-original": ["-----Original Message-----",
                             f"From: {cor.name} [mailto:{cor.email}]", f"Sent: {sent}",
                             f"To: {requester.name}", f"Subject: {subject}", ""],
        "gmail": ["---------- Forwarded message ---------",
                  f"From: {cor.formatted()}", "Date: Mon, Mar 2, 2026 at 4:12 PM",
                  f"Subject: {subject}", f"To: <{requester.email}>", ""],
        "apple": ["Begin forwarded message:", "", f"From: {cor.formatted()}",
                  f"Subject: {subject}", "Date: March 2, 2026 at 4:12:00 PM EST",
                  f"To: {requester.formatted()}", ""],
        "thunderbird": ["", "-------- Forwarded Message --------", f"Subject: {subject}",
                        "Date: Mon, 2 Mar 2026 16:12:00 -0500", f"From: {cor.formatted()}",
                        f"To: {requester.formatted()}", ""],
        "iphone": ["Sent from my iPhone", "", "Begin forwarded message:", "",
                   f"> From: {cor.formatted()}", "> Date: March 2, 2026 at 4:12:00 PM EST",
                   f"> To: {requester.formatted()}", f"> Subject: {subject}", ">"],
    }[style]
    words_lines = cor_mail.split("\n")
    if style == "iphone":
        words_lines = [f"> {line}".rstrip() for line in words_lines]
    text = "\n".join([*own, *block, *words_lines]) + "\n"
    if style == "thunderbird":
        _set_flowed(message, text)
    elif style == "iphone":
        message.set_content(_curly(text), cte="quoted-printable")
    elif style == "gmail":
        message.set_content(text)
        quote = ('<div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- '
                 "Forwarded message ---------<br>From: <strong class=\"gmail_sendername\" "
                 f'dir="auto">{html.escape(cor.name)}</strong> <span dir="auto">&lt;'
                 f"{cor.email}&gt;</span><br>Date: Mon, Mar 2, 2026 at 4:12 PM<br>Subject: "
                 f"{subject}<br>To: &lt;{requester.email}&gt;<br></div><br><br>"
                 + "".join(f"<div>{html.escape(line) or '<br>'}</div>"
                           for line in cor_mail.split("\n")) + "</div>")
        markup = _div_html(head, draft.rows(), ["", "Thanks,", requester.name], "plain",
                           body_attrs=' dir="ltr"').replace("</body>", quote + "</body>")
        message.add_alternative(markup, subtype="html")
    elif style == "apple":
        message.set_content(text, cte="quoted-printable")
        quote = ('<div><br><blockquote type="cite"><div>Begin forwarded message:</div><br>'
                 f"<div><b>From: </b>{html.escape(cor.formatted())}</div>"
                 f"<div><b>Subject: </b>{subject}</div>"
                 "<div><b>Date: </b>March 2, 2026 at 4:12:00 PM EST</div>"
                 f"<div><b>To: </b>{html.escape(requester.formatted())}</div><br>"
                 + "".join(f"<div>{html.escape(line) or '<br>'}</div>"
                           for line in cor_mail.split("\n")) + "</blockquote></div>")
        markup = _div_html(head, draft.rows(), ["", "Thanks,", requester.name], "bold",
                           nbsp=True).replace("</body>", quote + "</body>")
        message.add_alternative(markup, subtype="html", cte="quoted-printable")
    else:
        message.set_content(text)
    return _fixed(message)


def _outlook_header_html(sender: Person, sent: str, to: str, subject: str) -> str:
    """The block Outlook writes in HTML above a forwarded or quoted mail."""
    return ('<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in '
            '0in"><p class=MsoNormal><b>From:</b> '
            f"{html.escape(sender.name)} &lt;{sender.email}&gt; <br><b>Sent:</b> {sent}<br>"
            f"<b>To:</b> {html.escape(to)}<br><b>Subject:</b> "
            f"{html.escape(subject)}<o:p></o:p></p></div>\n")


# -- sentences -----------------------------------------------------------------------


def _prose(rng: random.Random, draft: Draft, index: int, count_words: str,
           cor: Person) -> list[str]:
    """The request told in sentences; a fact left out of `draft` is not told."""
    org = draft.org.name if draft.truth.organization else None
    services = draft.values["services"]
    count = count_words if draft.truth.user_count is not None else None
    purpose = draft.purpose if draft.truth.justification else None
    cor_said = None
    if draft.truth.cor_status == "stated":
        cor_said = rng.choice((
            f"Our COR, {cor.name} ({cor.email}), approved this on 3/2.",
            f"{cor.name} (our COR, {cor.email}) has approved the request.",
            f"This was approved by our COR {cor.name} <{cor.email}>.",
            f"Our Contracting Officer's Representative, {cor.name} <{cor.email}>, "
            "approved it last week.",
            f"{cor.name} at {cor.email} is our COR and approved this request by email.",
        ))
    else:
        cor_said = rng.choice((
            f"I have asked our COR, {cor.name}, for approval and will forward it when it "
            "arrives.", "We will get the COR's approval to you separately.", ""))
    needs = f"{services}"
    for_count = f" for {count}" if count else ""
    why = f" {purpose}" if purpose else ""
    shape = index % 10
    lines: list[str] = [rng.choice(GREETINGS), ""]
    if shape == 0:
        who = f"We are {org} and we" if org else "We"
        text = [f"{who} need {needs}{for_count}{why}."]
    elif shape == 1:
        who = f"On behalf of {org}, I" if org else "I"
        text = [f"{who} am requesting access to {needs}.",
                *([f"It would be used by {count}."] if count else []),
                *([f"We need it{why}."] if purpose else [])]
    elif shape == 2:
        who = f"{org} would like" if org else "We would like"
        text = [f"{who} {needs} access{for_count}.",
                *([f"Business justification: {draft.values['justification']}"]
                  if purpose else [])]
    elif shape == 3:
        who = f"I work for {org}. " if org else ""
        text = [f"{who}Could you set up {needs}{for_count}?",
                *([f"The team needs it{why}."] if purpose else [])]
    elif shape == 4:
        who = f"Here at {org} we" if org else "We"
        text = [f"{who} are starting a new task order (75FCMC26F0101, period of "
                f"performance 04/01/2026 to 03/31/2027) and need {needs}{for_count}{why}."]
    elif shape == 5:
        who = f"I'm the project lead at {org}." if org else "I'm a project lead."
        text = [who, f"Please add {needs}{for_count}.",
                *([f"We use it{why}."] if purpose else []),
                "You can reach me at 410-555-0142 or on my cell, 443-555-0199."]
    elif shape == 6:
        who = f"Our company, {org}," if org else "Our company"
        text = [f"{who} has held the contract since 2019 and now needs {needs}"
                f"{for_count}.", *([f"This is{why}."] if purpose else [])]
    elif shape == 7:
        who = f"{org} is requesting" if org else "We are requesting"
        text = [f"{who} {needs}.",
                *([f"Roughly speaking we expect {count} to use it."] if count else []),
                *([f"Justification: {draft.values['justification']}"] if purpose else [])]
    elif shape == 8:
        who = f"I am writing on behalf of {org} to" if org else "I am writing to"
        text = [f"{who} ask for {needs} (release 4.2 of our tools goes live on "
                f"5/15){for_count}.", *([f"We need it{why}."] if purpose else [])]
    else:
        who = f"My team at {org}" if org else "My team"
        text = [f"{who} needs {needs}{for_count}{why}.",
                "Our budget line for this is $12,500 and the work starts in Q3 2026."]
    paragraph = " ".join(t for t in (*text, cor_said) if t)
    return [*lines, paragraph]


def _prose_subject(rng: random.Random, draft: Draft) -> str:
    return rng.choice((f"{draft.values['services']} request", "Request for access",
                       "Need access for my team", "New service", "Question about access"))


# -- answers to our notice -----------------------------------------------------------


_NOTICE = (
    "Thank you for your onboarding request. We have recorded it as ONB-2026-{ref}, but we",
    "cannot send it on for approval yet: some required items are missing or",
    "could not be used.",
    "",
    "What we read from your mail:",
    "",
    "  Name of Organization (HARP Organization Name Preferred):",
    "      {org}",
    "  Name of QualityNet IT Service:",
    "      Jira",
    "  Business Justification for Use of Service:",
    "      (not found)",
    "  Estimated Number of Users:",
    "      (not found)",
    "  COR Approval:",
    "      (not found)",
    "",
    "Still needed:",
    "",
    "  - Estimated Number of Users: not found",
    "  - COR Approval: not found",
    "",
    "To complete the request, reply to this mail and keep ONB-2026-{ref} in the",
    "subject.",
)


def _notice_reply(rng: random.Random, style: str, person: Person, org: Org, answer: str,
                  index: int) -> bytes:
    ref = f"{40 + index:04d}"
    notice = [line.format(ref=ref, org=org.name) for line in _NOTICE]
    message = _envelope(person, f"RE: [ONB-2026-{ref}] Your onboarding request needs more "
                                "information", stamp=rng.randrange(900))
    message["In-Reply-To"] = f"<onb.{ref}.notice@onboard.example.gov>"
    message["References"] = f"<onb.{ref}.notice@onboard.example.gov>"
    _client_headers(message, style)
    opening = rng.choice(("Hi,", "Hello,", "Thanks -", "", "Please see below."))
    own = [*([opening, ""] if opening else []), answer, "", "Thanks,", person.name]
    when = "Tue, Mar 3, 2026 at 10:15 AM"
    if style == "outlook":
        quoted = ["", "From: CCSQ Onboarding <onboarding@onboard.example.gov>",
                  "Sent: Tuesday, March 3, 2026 10:15 AM", f"To: {person.formatted()}",
                  f"Subject: [ONB-2026-{ref}] Your onboarding request needs more "
                  "information", "", f"Hello {person.first},", "", *notice]
    elif style == "gmail":
        quoted = ["", f"On {when} CCSQ Onboarding <onboarding@onboard.example.gov> wrote:",
                  *(f"> {line}".rstrip() for line in [f"Hello {person.first},", "",
                                                       *notice])]
    elif style in ("apple", "iphone"):
        quoted = ["", *([("Sent from my iPhone"), ""] if style == "iphone" else []),
                  "> On Mar 3, 2026, at 10:15 AM, CCSQ Onboarding "
                  "<onboarding@onboard.example.gov> wrote:", ">",
                  *(f"> {line}".rstrip() for line in [f"Hello {person.first},", "",
                                                       *notice])]
    elif style == "thunderbird":
        quoted = ["", "On 3/3/26 10:15 AM, CCSQ Onboarding wrote:",
                  *(f"> {line}".rstrip() for line in [f"Hello {person.first},", "",
                                                       *notice])]
    else:
        quoted = ["", "CCSQ Onboarding wrote:",
                  *(f"> {line}".rstrip() for line in notice)]
    text = "\n".join([*own, *quoted]) + "\n"
    if style == "thunderbird":
        _set_flowed(message, text)
    elif style == "iphone":
        message.set_content(_curly(text), cte="quoted-printable")
    elif style == "outlook":
        message.set_content(text, cte="quoted-printable")
        markup = _word_html(own, [], [], "table").replace(
            "</div></body></html>",
            _outlook_header_html(Person(*OURS), "Tuesday, March 3, 2026 10:15 AM",
                                 person.formatted(), quoted[4].removeprefix("Subject: "))
            + "".join(_word_paragraph(line) for line in quoted[6:])
            + "</div></body></html>")
        message.add_alternative(markup, subtype="html", cte="quoted-printable")
    else:
        message.set_content(text)
    return _fixed(message)


# -- output --------------------------------------------------------------------------


def _fixed(message: EmailMessage) -> bytes:
    """The mail's bytes with MIME boundaries that do not change from one run to the next."""
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_onboardd_eval_{index}_{SEED}")
    return bytes(message)


def _entry(name: str, kind: str, client: str, layout: str, truth: Truth) -> str:
    def value(item: object) -> str:
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, int):
            return str(item)
        if isinstance(item, list):
            return "[" + ", ".join(value(i) for i in item) + "]"
        return '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'

    present: dict[str, object] = {
        "organization": truth.organization, "services": truth.services or None,
        "justification": truth.justification, "user_count": truth.user_count,
    }
    absent = [fact for fact, item in present.items() if item is None]
    if truth.cor_status == "missing":
        absent.append("cor")
    fields: list[tuple[str, object]] = [("file", name), ("kind", kind), ("client", client),
                                        ("layout", layout)]
    fields += [(fact, item) for fact, item in present.items() if item is not None]
    fields += [("cor_status", truth.cor_status), ("cor_address", truth.cor_address),
               ("absent", absent), ("published_form", truth.published_form)]
    return "[[mail]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in fields)


if __name__ == "__main__":
    main()
