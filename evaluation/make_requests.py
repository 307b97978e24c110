"""Write the request mails of the evaluation set, and the reading each one should get.

The set is composed, with a fixed seed, from parts written for it: organizations and
their people, justifications, user counts as people write them, many wordings of each
label, the layouts mail clients give a form (colon lines, tab rows, values under their
label, bullets, bold, HTML tables, definition lists), sentences instead of labels, the
COR's approval stated, copied, forwarded or sent in person, and signatures full of
numbers that are not user counts. The files are committed, so the set is fixed and can
be read; run `python -m evaluation.make_requests` to write it anew after changing a part.
"""

from __future__ import annotations

import html
import random
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

OUT = Path(__file__).with_name("requests")
SEED = 20261204
OURS = "CCSQ Onboarding <onboarding@onboard.example.gov>"
COR = ("Dana Smith", "dana.smith@cms.example.gov")
OTHER_COR = ("Luis Ortega", "luis.ortega@cms.example.gov")


@dataclass(frozen=True)
class Org:
    name: str
    domain: str
    people: tuple[str, ...]


ORGS = (
    Org("Acme Health Solutions", "acmehealth.example.com", ("Jane Doe", "Raj Patel")),
    Org("Brightpath Analytics", "brightpath.example.net", ("Rosa Patel", "Tom Wu")),
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
)
# Catalog names (config.example.toml) and the way people write them.
SERVICES = {
    "Jira": ("Jira", "JIRA", "Atlassian Jira", "Jira Software"),
    "Confluence": ("Confluence", "Confluence Wiki", "Atlassian Confluence"),
    "Slack": ("Slack", "Slack Enterprise Grid"),
    "ServiceNow": ("ServiceNow", "SNOW", "Service Now"),
    "HARP": ("HARP", "HARP Portal"),
    "Identity Management (IDM)": ("IDM", "Identity Management (IDM)", "Okta IDM"),
    "CMS Enterprise Portal": ("CMS Enterprise Portal", "Enterprise Portal"),
}
JUSTIFICATIONS = (
    ("Our analysts track quality-reporting defects with the CMS team.",
     "quality-reporting defects"),
    ("We need to share measure specifications with the CMS measure stewards.",
     "measure specifications"),
    ("The help desk staff will triage hospital submission issues.",
     "hospital submission issues"),
    ("Our developers coordinate releases of the abstraction tool.",
     "releases of the abstraction tool"),
    ("To document data validation findings for each quarter.",
     "data validation findings"),
    ("Program staff must join the weekly eCQM working sessions.",
     "eCQM working sessions"),
    ("We support the outpatient quality reporting program and file incidents.",
     "outpatient quality reporting"),
    ("Needed for managing user roles for our new task order.",
     "user roles for our new task order"),
    ("Coordinating with CMS on the hospice survey contract deliverables.",
     "hospice survey"),
    ("Our team will maintain the specifications manual drafts.",
     "specifications manual"),
    ("Tracking remediation items from the annual security assessment.",
     "annual security assessment"),
    ("Staff need single sign-on to reach the reporting dashboards.",
     "reporting dashboards"),
)
# (how the count is written, the number it means)
COUNTS = (("25", 25), ("40", 40), ("12", 12), ("about 40", 40), ("approximately 15", 15),
          ("1,200", 1200), ("twenty-five", 25), ("up to 50", 50), ("10-15", 15), ("8", 8),
          ("~30", 30), ("60 users", 60), ("3", 3), ("100", 100), ("roughly 20", 20),
          ("Fifteen (15)", 15))

LABELS = {
    "organization": (
        "Name of Organization (HARP Organization Name Preferred)", "Name of Organization",
        "Organization Name", "Organization", "HARP Organization Name", "Org Name",
        "Company", "Company Name", "Contractor", "Contractor name", "Organisation",
        "Name of the organization", "HARP Org Name", "Contracting company"),
    "services": (
        "Name of QualityNet IT Service", "Name of QualityNet IT Service(s)", "Service(s)",
        "Services", "Service requested", "Requested services", "IT Service(s)",
        "Name of HCQIS IT Service", "CCSQ service(s) requested", "Application",
        "Application name", "Service Name", "QualityNet service", "Tools needed"),
    "justification": (
        "Business Justification for Use of Service", "Business Justification",
        "Justification", "Business justification for use of the service(s)",
        "Reason for request", "Business need", "Purpose", "Reason",
        "Justification for access", "Business Justification for the Use of the Service",
        "Use case", "Purpose of access"),
    "user_count": (
        "Estimated Number of Users", "Number of users", "Estimated # of Users", "# of users",
        "Users", "User count", "Estimated users", "How many users", "No. of users",
        "Expected number of users", "Estimated number of user accounts", "Total users",
        "Number of users requesting access", "Estimated seats"),
    "cor": ("COR Approval", "COR approval", "COR", "COR Approval Status",
            "Contracting Officer's Representative approval", "COR sign-off"),
}
PUBLISHED = {fact: words[0] for fact, words in LABELS.items()}
COR_STATED = (
    "Approved by {name} <{email}>", "approved by {name} ({email})", "Yes - {name}, {email}",
    "{name} <{email}> approved on 3/2", "Approved - {email}", "Granted by {name} {email}")
SIGNATURES = (
    "{person}\nProgram Manager | {org}\nPhone: 410-555-0142 | Cell: (443) 555-0199\n",
    "{person}\n{org}\n1200 Harbor Blvd, Suite 400, Baltimore, MD 21230\nOffice: 410.555.0100 x25\n",
    "Thanks,\n{person}\nContract 75FCMC21D0012, Task Order 75FCMC23F0044\n",
    "Best regards,\n{person}\nProject Lead, {org}\nM: +1 202 555 0173\n",
    "--\n{person} | {org}\nThis message may contain confidential information. If you "
    "received it in error, please notify the sender and delete it.\n",
    "Regards,\n{person}\nSent 03/02/2026 from the Q2 planning session, room 214\n",
)
GREETINGS = ("Hello,", "Hi Onboarding Team,", "Good morning,", "Hello CCSQ Onboarding,",
             "Dear Onboarding Services Team,", "Hi all,")
OPENERS = ("Please onboard us to an additional QualityNet service.",
           "We would like to request access to an additional service.",
           "Below is our request for an additional service.",
           "Requesting access per the onboarding page.",
           "Submitting the information requested for a new service.")


@dataclass
class Truth:
    """The reading a careful clerk would give one mail; None means absent."""

    organization: str | None = None
    services: list[str] = field(default_factory=list)
    justification: str | None = None  # a phrase the reading must contain
    user_count: int | None = None
    cor_status: str = "missing"
    cor_address: str | None = None
    published_form: bool = False


@dataclass
class Draft:
    """A request about to be laid out: the values written and their truth."""

    org: Org
    person: str
    values: dict[str, str]
    truth: Truth
    labels: dict[str, str]


def main() -> None:
    rng = random.Random(SEED)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    entries: list[str] = []
    number = 0

    def write(kind: str, raw: bytes, truth: Truth) -> None:
        nonlocal number
        number += 1
        name = f"{number:03d}-{kind}.eml"
        (OUT / name).write_bytes(raw)
        entries.append(_entry(name, kind, truth))

    layouts = ("colon", "next-line", "tab", "bullets", "bold", "blank-between", "dash")
    clients = ("outlook", "gmail", "apple", "iphone", "thunderbird", "plain")
    # The published form, copied word for word, in every layout and client.
    for index in range(48):
        draft = _draft(rng, published=True)
        layout = layouts[index % len(layouts)]
        client = ("outlook-html", "html-table", "html-dl")[index % 3] if index % 4 == 0 \
            else clients[index % len(clients)]
        write(f"published-{layout if not client.startswith('html') else client}",
              _mail(rng, draft, layout, client), draft.truth)
    # Every label wording, in random layouts and clients.
    for _ in range(170):
        draft = _draft(rng, published=False)
        layout = rng.choice(layouts)
        client = rng.choice((*clients, "outlook-html", "html-table", "html-dl"))
        write(f"wording-{layout}", _mail(rng, draft, layout, client), draft.truth)
    # Facts genuinely missing, so that precision is measured.
    for _ in range(40):
        draft = _draft(rng, published=rng.random() < 0.5)
        for fact in rng.sample(("organization", "justification", "user_count", "cor"),
                               rng.randint(1, 2)):
            _drop(draft, fact)
        write("missing", _mail(rng, draft, rng.choice(layouts), rng.choice(clients)),
              draft.truth)
    # The COR sends the request in person, or is only copied.
    for _ in range(15):
        draft = _draft(rng, published=rng.random() < 0.5)
        _drop(draft, "cor")
        draft.truth.cor_status, draft.truth.cor_address = "verified", COR[1]
        write("from-cor", _mail(rng, draft, "colon", rng.choice(clients),
                                sender=f"{COR[0]} <{COR[1]}>"), draft.truth)
    for _ in range(15):
        draft = _draft(rng, published=rng.random() < 0.5)
        _drop(draft, "cor")
        draft.truth.cor_status, draft.truth.cor_address = "stated", COR[1]
        write("cor-on-cc", _mail(rng, draft, rng.choice(layouts), rng.choice(clients),
                                 cc=f"{COR[0]} <{COR[1]}>"), draft.truth)
    # The COR's approval forwarded below the request, as each client forwards.
    for index in range(30):
        draft = _draft(rng, published=rng.random() < 0.5)
        _drop(draft, "cor")
        draft.truth.cor_status, draft.truth.cor_address = "forwarded", COR[1]
        style = ("outlook-text", "gmail", "apple", "rfc822", "outlook-original")[index % 5]
        write(f"forward-{style}", _forwarded(rng, draft, style), draft.truth)
    # Requests written as sentences.
    for _ in range(30):
        draft = _draft(rng, published=False)
        write("prose", _prose(rng, draft), draft.truth)
    (OUT / "expected.toml").write_text(
        "# Written by evaluation/make_requests.py; the truth of each mail in this folder.\n\n"
        + "\n".join(entries), encoding="utf-8")
    print(f"wrote {number} mails to {OUT}")


def _draft(rng: random.Random, *, published: bool) -> Draft:
    org = rng.choice(ORGS)
    names = rng.sample(sorted(SERVICES), rng.choice((1, 1, 1, 2, 2, 3)))
    written = [rng.choice(SERVICES[name]) for name in names]
    joiner = rng.choice((", ", " and ", "; ", ", "))
    justification, phrase = rng.choice(JUSTIFICATIONS)
    count_text, count = rng.choice(COUNTS)
    stated = rng.choice(COR_STATED).format(name=COR[0], email=COR[1])
    values = {"organization": org.name, "services": joiner.join(written),
              "justification": justification, "user_count": count_text, "cor": stated}
    labels = {fact: PUBLISHED[fact] if published else rng.choice(words)
              for fact, words in LABELS.items()}
    truth = Truth(org.name, names, phrase, count, "stated", COR[1], published)
    return Draft(org, rng.choice(org.people), values, truth, labels)


def _drop(draft: Draft, fact: str) -> None:
    draft.values.pop(fact, None)
    if fact == "cor":
        draft.truth.cor_status, draft.truth.cor_address = "missing", None
    elif fact == "user_count":
        draft.truth.user_count = None
    else:
        setattr(draft.truth, fact, None)
    draft.truth.published_form = False


def _form_lines(draft: Draft, layout: str) -> list[str]:
    lines: list[str] = []
    for fact in ("organization", "services", "justification", "user_count", "cor"):
        if fact not in draft.values:
            continue
        label, value = draft.labels[fact], draft.values[fact]
        if layout == "colon":
            lines.append(f"{label}: {value}")
        elif layout == "next-line":
            lines += [label, value]
        elif layout == "tab":
            lines.append(f"{label}\t{value}")
        elif layout == "bullets":
            lines.append(f"- {label}: {value}")
        elif layout == "bold":
            lines.append(f"**{label}:** {value}")
        elif layout == "blank-between":
            lines += [f"{label}:", "", value, ""]
        elif layout == "dash":
            lines.append(f"{label} - {value}")
    return lines


def _mail(rng: random.Random, draft: Draft, layout: str, client: str, *,
          sender: str | None = None, cc: str | None = None) -> bytes:
    person = draft.person
    sender = sender or f"{person} <{person.split()[0].lower()}.{person.split()[1].lower()}" \
                       f"@{draft.org.domain}>"
    signature = rng.choice(SIGNATURES).format(person=person, org=draft.org.name)
    head = [rng.choice(GREETINGS), "", rng.choice(OPENERS), ""]
    message = _envelope(sender, f"Request for additional service - {draft.org.name}", cc)
    if client in ("outlook-html", "html-table", "html-dl"):
        rows = [(draft.labels[f], draft.values[f]) for f in
                ("organization", "services", "justification", "user_count", "cor")
                if f in draft.values]
        markup = _html_form(head, rows, signature, client)
        if client == "outlook-html":
            plain = "\n".join([*head, *(f"{k}\t{v}" for k, v in rows), "", signature])
            message.set_content(plain)
            message.add_alternative(markup, subtype="html")
        else:
            message.set_content(markup, subtype="html")
        return _fixed(message)
    body = "\n".join([*head, *_form_lines(draft, layout), "", signature])
    if client == "iphone":
        body += "\nSent from my iPhone\n"
    message.set_content(body)
    return _fixed(message)


def _html_form(head: list[str], rows: list[tuple[str, str]], signature: str,
               client: str) -> str:
    opening = "".join(f'<p class="MsoNormal">{html.escape(line) or "&nbsp;"}<o:p></o:p></p>'
                      for line in head)
    closing = "<br>".join(html.escape(line) for line in signature.splitlines())
    if client == "html-dl":
        form = "<dl>" + "".join(f"<dt><b>{html.escape(k)}</b></dt><dd>{html.escape(v)}</dd>"
                                for k, v in rows) + "</dl>"
    else:
        form = ('<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0">'
                + "".join(f'<tr><td width="240" valign="top"><p class="MsoNormal"><b>'
                          f"{html.escape(k)}<o:p></o:p></b></p></td>"
                          f'<td width="380" valign="top"><p class="MsoNormal">'
                          f"{html.escape(v)}<o:p></o:p></p></td></tr>" for k, v in rows)
                + "</table>")
    return (f'<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>'
            f"p.MsoNormal{{margin:0}}</style></head><body><div class=\"WordSection1\">"
            f"{opening}{form}<p class=\"MsoNormal\">{closing}</p></div></body></html>")


def _envelope(sender: str, subject: str, cc: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = OURS
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
                                      + timedelta(minutes=len(sender)))
    return message


def _forwarded(rng: random.Random, draft: Draft, style: str) -> bytes:
    """The request as labels, with the COR's approving mail forwarded beneath it."""
    approval = rng.choice((
        "I approve the request for {svc} for {org}.",
        "Approved. Please go ahead and send the request to the onboarding team.",
        "{person}, you have my approval to request {svc}.",
        "I concur with adding {svc} for the {org} team.",
    )).format(svc=draft.values["services"], org=draft.org.name, person=draft.person)
    cor_mail = f"{approval}\n\nThanks,\n{COR[0]}\nContracting Officer's Representative"
    person = draft.person
    sender = f"{person} <{person.split()[0].lower()}@{draft.org.domain}>"
    lines = ["Hello,", "", "Our request is below, with our COR's approval forwarded.", "",
             *_form_lines(draft, "colon"), "", "Thanks,", person, ""]
    subject = f"Request for {draft.values['services']} - COR approval attached"
    message = _envelope(sender, subject)
    if style == "rfc822":
        message.set_content("\n".join(lines))
        inner = _envelope(f"{COR[0]} <{COR[1]}>", "RE: approval for additional service")
        inner.replace_header("To", sender)
        inner.set_content(cor_mail)
        message.add_attachment(inner)
        return _fixed(message)
    block = {
        "outlook-text": ["________________________________",
                         f"From: {COR[0]} <{COR[1]}>",
                         "Sent: Monday, March 2, 2026 4:12 PM",
                         f"To: {person} <{person.split()[0].lower()}@{draft.org.domain}>",
                         "Subject: RE: approval for additional service", ""],
        "outlook-original": ["-----Original Message-----",
                             f"From: {COR[0]} [mailto:{COR[1]}]",
                             "Sent: Monday, March 2, 2026 4:12 PM",
                             f"To: {person}", "Subject: approval for additional service", ""],
        "gmail": ["---------- Forwarded message ---------",
                  f"From: {COR[0]} <{COR[1]}>", "Date: Mon, Mar 2, 2026 at 4:12 PM",
                  "Subject: approval for additional service", f"To: <{sender}>", ""],
        "apple": ["Begin forwarded message:", "", f"From: {COR[0]} <{COR[1]}>",
                  "Subject: approval for additional service",
                  "Date: March 2, 2026 at 4:12:00 PM EST", f"To: {sender}", ""],
    }[style]
    message.set_content("\n".join([*lines, *block, cor_mail, ""]))
    return _fixed(message)


def _prose(rng: random.Random, draft: Draft) -> bytes:
    """The five facts told in sentences, in one of several orders and voices."""
    services = draft.values["services"]
    count_text = draft.values["user_count"]
    noun = rng.choice(("users", "staff", "people", "team members"))
    count_words = count_text if count_text.endswith("users") else f"{count_text} {noun}"
    justification = draft.values["justification"].rstrip(".")
    purpose = justification[0].lower() + justification[1:]
    cor = rng.choice((
        f"Our COR, {COR[0]} ({COR[1]}), approved this on 3/2.",
        f"{COR[0]} (our COR, {COR[1]}) has approved the request.",
        f"This was approved by our COR {COR[0]} <{COR[1]}>.",
    ))
    sentences = rng.choice((
        [f"We are {draft.org.name} and need {services} for {count_words}.",
         f"Business justification: {justification}.", cor],
        [f"On behalf of {draft.org.name}, I am requesting access to {services}.",
         f"It would be used by {count_words}.", f"The reason: {purpose}.", cor],
        [f"{draft.org.name} would like {services} access for {count_words}.",
         f"Justification - {purpose}.", cor],
    ))
    person = draft.person
    sender = f"{person} <{person.split()[0].lower()}@{draft.org.domain}>"
    body = "\n".join([rng.choice(GREETINGS), "", " ".join(sentences), "",
                      rng.choice(SIGNATURES).format(person=person, org=draft.org.name)])
    message = _envelope(sender, f"{services} request")
    message.set_content(body)
    return _fixed(message)


def _fixed(message: EmailMessage) -> bytes:
    """The mail's bytes with MIME boundaries that do not change from one run to the next."""
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_onboardd_eval_{index}_{SEED}")
    return bytes(message)


def _entry(name: str, kind: str, truth: Truth) -> str:
    def value(item: object) -> str:
        if item is None:
            return '""'
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, int):
            return str(item)
        if isinstance(item, list):
            return "[" + ", ".join(value(i) for i in item) + "]"
        return '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'

    fields = [("file", name), ("kind", kind), ("organization", truth.organization),
              ("services", truth.services), ("justification", truth.justification),
              ("user_count", truth.user_count if truth.user_count is not None else 0),
              ("cor_status", truth.cor_status), ("cor_address", truth.cor_address),
              ("published_form", truth.published_form)]
    return "[[mail]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in fields)


if __name__ == "__main__":
    main()
