"""Reading approve / deny and the reason from the new text of a reply."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation import make_replies
from onboardd.parsers.cor import refuses, says_approve
from onboardd.parsers.decision import RULES, Kind, Verdict, approval_in, read_decision
from onboardd.parsers.message import parse_message


@pytest.mark.parametrize(
    ("text", "verdict", "reason"),
    [
        ("Approved.", Verdict.APPROVE, None),
        ("Approve", Verdict.APPROVE, None),
        ("Yes", Verdict.UNCLEAR, None),
        ("Yes, please onboard them", Verdict.APPROVE, "please onboard them"),
        ("yes, go ahead", Verdict.APPROVE, "yes, go ahead"),
        ("I concur", Verdict.APPROVE, None),
        ("OK to proceed.\n\nThanks,\nPat", Verdict.APPROVE, "Thanks,\nPat"),
        ("No problem, approved", Verdict.APPROVE, "No problem, approved"),
        ("Not approved - we have no licences left.", Verdict.DENY, "we have no licences left."),
        ("I do not approve this.", Verdict.DENY, "I do not approve this."),
        ("We don't approve of this", Verdict.DENY, "We don't approve of this"),
        ("Denied: the contract ends in December.", Verdict.DENY, "the contract ends in December."),
        ("Rejected", Verdict.DENY, None),
        ("Declined, wrong team", Verdict.DENY, "wrong team"),
        ("No. Budget.", Verdict.DENY, "Budget."),
        (
            "Approved? Not approved. Budget cut.",
            Verdict.DENY,
            "Approved? Not approved. Budget cut.",
        ),
        ("Who are these people?", Verdict.UNCLEAR, None),
        ("", Verdict.UNCLEAR, None),
    ],
)
def test_read_decision(text: str, verdict: Verdict, reason: str | None) -> None:
    reading = read_decision(text)
    assert (reading.verdict, reading.reason) == (verdict, reason)


# Every refusal form the issue tracker saw read as approval, each as typed by a person
# (straight and curly apostrophes), with the reason a requester should be told.
@pytest.mark.parametrize(
    ("text", "verdict", "reason"),
    [
        ("I can't approve this.", Verdict.DENY, "I can't approve this."),
        ("I can\u2019t approve this.", Verdict.DENY, "I can't approve this."),
        ("I don\u2019t approve this request.", Verdict.DENY, "I don't approve this request."),
        ("I won't approve this.", Verdict.DENY, "I won't approve this."),
        ("I cannot approve this", Verdict.DENY, "I cannot approve this"),
        # The question and its answer are the decision, with no reason beside them.
        ("Approve? No.", Verdict.DENY, None),
        ("Approved - NOT", Verdict.DENY, None),
        ("Approved \u2013 NOT.  They already have access.", Verdict.DENY,
         "They already have access."),
        ("Unable to approve at this time.", Verdict.DENY, "Unable to approve at this time."),
        ("Not able to approve, no seats left", Verdict.DENY, "no seats left"),
        ("Not at this time, they need to finish training first", Verdict.DENY,
         "they need to finish training first"),
        ("Please hold off until the contract is extended.", Verdict.DENY,
         "Please hold off until the contract is extended."),
        ("Decline.", Verdict.DENY, None),
        ("nope", Verdict.DENY, None),
        ("Hi Onboarding Team,\n\nI can\u2019t approve this one.\n\nRegards,\nPat",
         Verdict.DENY, "I can't approve this one.\nRegards,\nPat"),
    ],
)
def test_refusals_are_denials(text: str, verdict: Verdict, reason: str | None) -> None:
    reading = read_decision(text)
    assert (reading.verdict, reading.reason) == (verdict, reason)


@pytest.mark.parametrize(
    "text",
    [
        "I would approve if they finish training",
        "Approve once the SO is named",
        "Approved, but not for Slack",
        "Approved. Not for the guest accounts though",
        "I'm not sure I can approve this",
        "Let me check with the COR first.",
        "Sounds good",
        "ok",
        "Approved?",
        "Approved.\n\nActually no - deny it, they have no SO yet.",
        "Probably fine, approved",
        "Approved pending the background check",
    ],
)
def test_anything_short_of_a_clear_yes_is_unclear(text: str) -> None:
    assert read_decision(text).verdict is Verdict.UNCLEAR


@pytest.mark.parametrize(
    ("text", "verdict", "reason"),
    [
        ("I'd normally approve but not this time.", Verdict.DENY,
         "I'd normally approve but not this time."),
        ("Not at this time \u2013 they need to finish training first.", Verdict.DENY,
         "they need to finish training first."),
        ("Denying - duplicate of ONB-2026-0031.", Verdict.DENY, "duplicate of ONB-2026-0031."),
        ("Please don't onboard them.", Verdict.DENY, "Please don't onboard them."),
        ("Do not proceed with this request.", Verdict.DENY, "Do not proceed with this request."),
        ("Absolutely not.", Verdict.DENY, None),
        ("I'm afraid this is a no from me.", Verdict.DENY, "I'm afraid this is a no from me."),
        ("I object to this request.", Verdict.DENY, "I object to this request."),
        ("Not this one, sorry.", Verdict.DENY, "sorry."),
        ("I have no objection.", Verdict.APPROVE, None),
        ("I support this request.", Verdict.APPROVE, None),
        ("No-brainer, approved.", Verdict.UNCLEAR, None),
    ],
)
def test_more_wordings(text: str, verdict: Verdict, reason: str | None) -> None:
    reading = read_decision(text)
    assert (reading.verdict, reading.reason) == (verdict, reason)


@pytest.mark.parametrize(
    "text",
    [
        "I approve? not sure",
        "approve once they finish training",
        "I would approve if the COR signs off.",
        "Approved for now.",
        "I will approve this tomorrow.",
        "Yes, I can approve.",
        "Approved last year's request; this one I need to check.",
        "Not my service - ask the Slack lead.",
        "Approve or deny? I don't know this team.",
        "Approved.\n\nOn second thought, let me check with the COR first.",
        "Approved.\n\nThe Slack part is not approved.",
        # our mail acknowledged, not our question answered
        "Yes, received.",
        "Yes, I got it.",
        "Noted, approved.",
        "Yes - thanks for the note, looking into it.",
        # what was approved by mistake, or elsewhere
        "Approved the wrong request by mistake, please resend.",
        "Yes, approved in error; please disregard.",
    ],
)
def test_promises_doubts_and_second_thoughts_are_unclear(text: str) -> None:
    assert read_decision(text).verdict is Verdict.UNCLEAR


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # the approval request answered as a form: a negative value refuses
        ("Approved: N", Verdict.DENY),
        ("Approve (Y/N): N", Verdict.DENY),
        ("Approved (Y/N) n.", Verdict.DENY),
        ("Approval = false", Verdict.DENY),
        ("Approved: 0", Verdict.DENY),
        ("Approved - nope.", Verdict.DENY),
        ("Approved: \u274c", Verdict.DENY),
        ("Approved: N\nThanks,\nPat", Verdict.DENY),
        # any other short value is no answer
        ("Approved: X", Verdict.UNCLEAR),
        ("Approved: [ ]", Verdict.UNCLEAR),
        ("Approved: N/A", Verdict.UNCLEAR),
        ("Approved: TBD", Verdict.UNCLEAR),
        # an affirmative value, or words, approve as before
        ("Approved: Y", Verdict.APPROVE),
        ("Approved (Y/N): Y\nThanks, Pat", Verdict.APPROVE),
        ("Approved: yes", Verdict.APPROVE),
        ("Approved: \u2713", Verdict.APPROVE),
        ("Approved - thanks", Verdict.APPROVE),
        ("Approved: Jira and Confluence for 40 users", Verdict.APPROVE),
    ],
)
def test_a_form_field_answered_approves_only_with_an_affirmative_value(
    text: str, verdict: Verdict
) -> None:
    # Named as the daemon names the request beside a reply (responders/approvals.py).
    assert read_decision(text, ("Jira", "Confluence", "40")).verdict is verdict


def test_a_cor_line_answered_no_in_a_form_is_no_consent() -> None:
    assert not says_approve("COR Approval: N")
    assert refuses("Approved: N")
    assert says_approve("Approved: Y")


def test_the_rules_are_one_ordered_table_with_consent_last() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    kinds = [rule.kind for rule in RULES]
    first_consent = kinds.index(Kind.CONSENT)
    assert set(kinds[first_consent:]) == {Kind.CONSENT}
    assert {Kind.REFUSAL, Kind.DOUBT, Kind.HEDGE} <= set(kinds[:first_consent])


def test_a_reading_names_the_rule_that_decided_it() -> None:
    assert read_decision("I can\u2019t approve this.").rule == "negated consent"
    assert read_decision("Approve? No.").rule == "question answered no"
    assert read_decision("Approved - NOT").rule == "approval taken back"
    assert read_decision("Approved, but not for Slack").rule == "contrast"
    assert read_decision("Concur.").rule == "concur"
    assert read_decision("Sounds good").rule == ""


@given(st.text(max_size=80))
def test_words_no_consent_rule_knows_never_approve(text: str) -> None:
    if approval_in(text) is None:
        assert read_decision(text).verdict is not Verdict.APPROVE


OURS = "CCSQ Onboarding <onboarding@onboard.example.gov>"


def _reply(body: str) -> bytes:
    return (f"From: Pat Lee <pat.lee@cms.example.gov>\r\nTo: {OURS}\r\n"
            "Subject: RE: [ONB-2026-0042] Approval needed\r\n"
            "Message-ID: <r1@cms.example.gov>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            + body.replace("\n", "\r\n")).encode()


@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        ("Denied - they have no SO on file.\n\nOn Tue, Mar 3, 2026 at 9:14 AM Sam Ortiz "
         "<sam.ortiz@cms.example.gov> wrote:\n> Approved from my side.\n> Approve\n",
         Verdict.DENY),
        ("Approved.\n\n________________________________\nFrom: " + OURS + "\n"
         "Sent: Tuesday, March 3, 2026 9:14 AM\nSubject: [ONB-2026-0042] Approval needed\n\n"
         "  Deny      followed by the reason, which the requester will see\n"
         "I can't approve this until the COR confirms.\n", Verdict.APPROVE),
        ("Thanks!\n\n-----Original Message-----\nFrom: " + OURS + "\n"
         "Sent: Tuesday, March 3, 2026 9:14 AM\nSubject: [ONB-2026-0042] Approval needed\n\n"
         "Approved.\n", Verdict.UNCLEAR),
    ],
)
def test_the_quote_under_a_reply_decides_nothing(body: str, verdict: Verdict) -> None:
    mail = parse_message(_reply(body))
    assert read_decision(mail.reply_text).verdict is verdict


# The approval sentences the reader knows: a few by hand, and every one-paragraph
# approval of the evaluation set that it reads as one (the test below counts them).
APPROVALS = sorted(text for text in {"Approved", "Approve", "I approve this request", "Approved.",
                    "Yes, approved", "Concur", "OK to proceed", "Go ahead", "Approval granted",
                    "APPROVED!", "Looks good, approved", "I have no objection",
                    *(e.words for e in make_replies.entries()
                      if e.expect == "approve" and e.words and "\n\n" not in e.words)}
                   if read_decision(text).verdict is Verdict.APPROVE)
MARKERS = ["not", "n't", "no", "never", "can't", "cannot", "won't", "don't", "do not",
           "unable to", "not able to", "deny", "denied", "reject", "decline", "refuse",
           "disapprove", "hold off", "not at this time", "not yet", "not now", "NOT",
           "Approve? No.", "if", "but", "unless", "pending", "once", "?", "maybe",
           "not sure", "let me check", "don\u2019t", "can\u2019t", "won\u2019t",
           "isn\u2019t", "can\u02bct", "NOT\u00a0", "\uff2e\uff2f\uff34"]


def test_the_property_below_draws_from_many_real_approvals() -> None:
    assert len(APPROVALS) >= 60


@given(st.sampled_from(APPROVALS), st.sampled_from(MARKERS), st.integers(0, 30),
       st.sampled_from(["", "\n", "\n\n", ". ", " - ", ", ", "\u00a0"]))
def test_a_refusal_or_condition_anywhere_never_approves(
    approval: str, marker: str, where: int, glue: str
) -> None:
    words = approval.split(" ")
    at = min(where, len(words))
    text = " ".join([*words[:at], glue + marker + glue, *words[at:]])
    assert read_decision(text).verdict is not Verdict.APPROVE


ISSUE_REFUSALS = ["I can't approve this.", "I can\u2019t approve this.",
                  "I don\u2019t approve this request.", "I won't approve this.", "Approve? No.",
                  "Approved - NOT", "Unable to approve at this time.",
                  "Not at this time, they need to finish training first"]


@pytest.mark.parametrize("text", ISSUE_REFUSALS)
def test_the_issues_refusals_are_denials_for_leads_and_refusals_for_cors(text: str) -> None:
    assert read_decision(text).verdict is Verdict.DENY
    assert refuses(text)
    assert not says_approve(text)
    assert not says_approve(f"COR approval: {text}")


@pytest.mark.parametrize(
    ("text", "approves"),
    [
        ("Approved by Dana Smith (dana.smith@cms.example.gov) on 3/2", True),
        ("Hi Jane,\n\nThanks for the details. I approve this request for Jira.\n\nDana", True),
        ("Confirmed", True),
        ("No objection", True),
        ("Approved, but not for Slack", False),
        ("Approved pending the SO's signature", False),
        ("I approve? not sure", False),
        ("Approved \u2013 NOT", False),
    ],
)
def test_cor_consent_uses_the_same_words(text: str, approves: bool) -> None:
    assert says_approve(text) is approves


NOTICE = ("This e-mail and any attachments are confidential and meant only for the people "
          "it is addressed to. If it reached you by mistake, please tell the sender and "
          "delete it; any other use is not allowed.")


@pytest.mark.parametrize(
    "text",
    [
        f"Approved.\n\nPat Lee\nJira Service Lead\n\n{NOTICE}",
        f"Approved.\n\nPat Lee\nJira Service Lead\n{NOTICE}",  # the notice in the signature
        "Approved for all 40 users. Please let me know when the accounts are set up.",
        "Approved, let us know once they are on board.",
        "Agreed.",
        "I agree, approved.",
    ],
)
def test_a_legal_notice_or_a_request_to_be_told_takes_nothing_back(text: str) -> None:
    assert read_decision(text, ("40",)).verdict is Verdict.APPROVE


@pytest.mark.parametrize(
    "text",
    [
        # Below the approval, the lead's own words still take it back: too short, or
        # refusing, or with only one notice mark, a paragraph is no legal notice.
        "Approved.\n\nNot the confidential part: delete it from the request.",
        "Approved.\n\nDenied for Slack: that data is confidential and is meant only for "
        "staff; delete it from the request and any distribution list you made, please now.",
        "Approved.\n\nOnly for the 10 users named in the request, and only until the audit "
        "is over; if it runs longer we will need to talk again before anyone else joins.",
        "Approved, let me know if they finish training first.",
        "I agree it is not needed.",
        "Agreed, but not for Slack.",
    ],
)
def test_what_only_looks_like_a_notice_still_takes_an_approval_back(text: str) -> None:
    assert read_decision(text).verdict is not Verdict.APPROVE


# Approvals a probe of approvers' wordings found read as consent: an approval limited,
# put off, reported second-hand, boxed empty, answered "no" in a form, taken back, or
# negated by its prefix. None may approve.
@pytest.mark.parametrize(
    "text",
    [
        "Non-concur.",
        "Approved Y/N: N",
        "Approved [N]",
        "Approve [ ]",
        "[ ] Approve",
        "Approve: NEGATIVE",
        "Approved for 10 users only.",
        "Approved minus Slack.",
        "Approved w/o Slack.",
        "Approved, with caveats.",
        "Approved, 5 users max.",
        "Approved save for Slack.",
        "Approve some of them.",
        "Approved upon completion of training.",
        "Approved, need the DUA.",
        "Approved - COR must confirm.",
        "Approved, DUA first.",
        "Approve, wait for training.",
        "Approved - hold Slack.",
        "Approving shortly.",
        "Approved starting next month.",
        "Approved, we'll revisit in 6 months.",
        "Approved effective 4/1.",
        "Leaving this to Dana to approve.",
        "To be approved.",
        "I'd approve.",
        "Did Dana approve this already",
        "Per Dana: approved.",
        "The COR approved it.",
        "Already approved by Dana.",
        "I was told it's approved.",
        "Dana approved it; I\u2019m still deciding.",
        "Kind of approved.",
        "Approved in theory.",
        "\"Approved\" was a typo.",
        "Approved - misclick.",
        "Approved. Disregard.",
        "Approved lol jk",
        "Was approved, now revoked.",
        "Ignore my previous email approving this.",
        "Approved.\n\nCorrection: please disregard my approval.",
        "Approved. Holding off on provisioning.",
        # session 13's held-out probe (evaluation/probe/)
        "Yeah, approved, just like the last three requests from Acme that went nowhere.",
        "Approved - ONB-2026-0043 (Acme's Confluence one).",
        "Approve.\n\nOn second thought, let's talk Monday.",
        "Yes",
        "Approved, thanks for nothing.",
        "Approve. Actually, wait - hold off.",
        "Deny. Sorry, approve - misread.",
    ],
)
def test_the_probes_false_approvals_never_approve(text: str) -> None:
    assert read_decision(text, ("ONB-2026-0042", "Acme Health Solutions")).verdict \
        is not Verdict.APPROVE


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Approved, thanks for the heads up.", Verdict.APPROVE),
        ("Approved - sorry for the slow reply.", Verdict.APPROVE),
        ("Approve ONB-2026-0042.", Verdict.APPROVE),
        ("Who is Acme Health Solutions? Never heard of them.", Verdict.UNCLEAR),
        ("Approved by whom? I never saw the COR letter.", Verdict.UNCLEAR),
        ("Never.", Verdict.DENY),
        ("That will never happen.", Verdict.DENY),
        ("Approved? No. Budget cut.", Verdict.DENY),
        # an approval taken back is a refusal, not second thoughts
        ("Please disregard my last approval.", Verdict.DENY),
    ],
)
def test_a_sentence_holding_an_approval_and_what_it_answers(text: str, verdict: Verdict) -> None:
    """Thanks and apologies stand beside an approval; our own reference may too. A
    question about someone else answered "never" doubts, it does not refuse."""
    assert read_decision(text, ("ONB-2026-0042", "Acme Health Solutions")).verdict is verdict


# Refusals the probe found read unclear, with the reason a requester should be told.
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Approval withdrawn - the task order was cancelled.", "the task order was cancelled."),
        ("I revoke my earlier approval.", "I revoke my earlier approval."),
        ("Please disregard my approval.", "Please disregard my approval."),
        ("Cancel this request.", "Cancel this request."),
        ("Stop - this contractor is not on our contract.",
         "this contractor is not on our contract."),
        ("Pause this for now.", "Pause this for now."),
        ("Not until they finish training.", "Not until they finish training."),
        ("Not without a signed DUA.", "Not without a signed DUA."),
        ("Unapproved - no SO on file.", "no SO on file."),
        ("Non concur - no business need.", "no business need."),
        ("Not aproved.", None),
        ("Denyed, wrong team.", "wrong team."),
        ("I disagree.", "I disagree."),
        ("I object.", None),
        ("Sorry, no.", None),
        ("Regrettably no - the contract has expired.", "the contract has expired."),
        ("My answer is no.", "My answer is no."),
        ("Sorry, I can't.", "Sorry, I can't."),
        ("They don't need access.", "They don't need access."),
        ("Approval not given.", None),
        ("Approved: [N]", None),
        ("Approve (Y/N) - no", None),
        ("Approve? Not a chance.", None),
        ("[ ] Approve [X] Deny", "[ ] Approve [X] Deny"),
        ("Approve [ ]  Deny [x]", "Approve [ ]  Deny [x]"),
        ("Approval withheld.", None),
        ("Without my approval.", None),
    ],
)
def test_the_probes_refusals_are_denials(text: str, reason: str | None) -> None:
    reading = read_decision(text)
    assert (reading.verdict, reading.reason) == (Verdict.DENY, reason)


@pytest.mark.parametrize(
    "text",
    [
        # what the new hedges leave alone
        "Happy to approve this request.",
        "Approved. Talk soon!",
        "Approved, as requested.",
        "Approved.\n\nPat Lee\nJira Service Lead\nUnauthorized use of this mail is prohibited.",
        "[X] Approve",
    ],
)
def test_the_new_hedges_leave_plain_approvals_alone(text: str) -> None:
    assert read_decision(text).verdict is Verdict.APPROVE


def test_revoked_access_is_no_withdrawn_approval() -> None:
    """A lead confirming a removal says "access revoked"; only an approval or the
    request revoked is a refusal (parsers/removal.py reads the same rules)."""
    assert read_decision("The users' access has been revoked.").rule != "approval withdrawn"


# Words beside a consent word that no rule above it knows: each could change what the
# approval grants, so the reply is unclear until someone asks.
@pytest.mark.parametrize(
    ("text", "stray"),
    [
        ("Dana approved this yesterday.", "dana yesterday"),
        ("Approved for the evaluation group.", "evaluation group"),
        ("Approved for Brightpath.", "brightpath"),
        ("Approved in spirit.", "spirit"),
        ("Yes, approved by legal.", "legal"),
        ("Approved. Sam approved it in March too.", "sam march"),
        ("OK to proceed with Slack", "slack"),
        ("Approved lol", "lol"),
        # words harmless in one phrase and not in another
        ("Approved for one user.", "one"),
        ("Approved with changes.", "changes"),
        ("Approved with objections.", "objections"),
        ("Consider approving this.", "consider"),
        # a bare yes answers whatever was asked, so its whole paragraph must stand apart
        ("Yes, I saw it.", "saw"),
        ("Yes, I'll take a look.", "i'll take"),
    ],
)
def test_consent_beside_unknown_words_is_unclear(text: str, stray: str) -> None:
    reading = read_decision(text)
    assert (reading.verdict, reading.rule, reading.matched) == (
        Verdict.UNCLEAR, "consent not set apart", stray)


@pytest.mark.parametrize(
    "text",
    [
        "Approved for Acme.",
        "I approve the Jira request for Acme Health Solutions.",
        "Approved - ONB-2026-0042",
        "Approved on behalf of the Jira team.",
        "Approved. Pat",
        "Yes, please onboard Acme's 40 users to Jira.",
    ],
)
def test_the_requests_own_names_may_stand_beside_an_approval(text: str) -> None:
    names = ("ONB-2026-0042", "Acme Health Solutions", "Jira", "40", "Pat Lee")
    assert read_decision(text, names).verdict is Verdict.APPROVE


def test_a_name_or_number_the_request_does_not_carry_is_not_known() -> None:
    assert read_decision("Approved for Acme.").verdict is Verdict.UNCLEAR
    assert read_decision("Dana approved this.", ("Pat Lee",)).verdict is Verdict.UNCLEAR
    assert read_decision("Approved for 10 users.", ("40",)).verdict is Verdict.UNCLEAR
    assert read_decision("Approve ONB-2026-0024.", ("ONB-2026-0042",)).verdict is Verdict.UNCLEAR


@pytest.mark.parametrize(
    ("line", "approves"),
    [
        ("COR Approval: Marcus Bell approved this on 02/26/2026", True),
        ("COR Approval: Y", True),
        ("COR Approval: \u2713", True),
        ("COR Approval: Yes", True),
        ("COR Approval: N", False),
        ("COR Approval: X", False),
        # a COR line reports the approval and says where it is
        ("COR Approval: Approved (see below)", True),
        ("COR approval: approved by Rachel Kim (see forwarded email)", True),
        ("COR: The COR approved it last Tuesday.", True),
        ("COR: Our COR approved, will confirm by email.", True),
        ("COR: Our COR supposedly approved it.", False),
        ("COR: Our COR will confirm the count first.", False),
    ],
)
def test_a_cor_line_reports_an_approval_with_names_and_dates(line: str, approves: bool) -> None:
    value = line.split(":", 1)[1]
    assert says_approve(value) is approves


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # a refusal negated refuses nothing, and approves nothing either
        ("Not denied.", Verdict.UNCLEAR),
        ("I won't say no.", Verdict.UNCLEAR),
        ("I'm not going to reject this.", Verdict.UNCLEAR),
        ("Hard no.", Verdict.DENY),
        ("No-go on this one, sorry.", Verdict.DENY),
        ("Turning this one down, sorry - no seats.", Verdict.DENY),
        # asked of someone else, kept elsewhere, or an order to follow first
        ("Please approve.", Verdict.UNCLEAR),
        ("Dana, please approve.", Verdict.UNCLEAR),
        ("Approved (see the Teams thread for details).", Verdict.UNCLEAR),
        ("Approved. Make sure they use SSO.", Verdict.UNCLEAR),
        ("Approved. Dana will confirm the final count.", Verdict.UNCLEAR),
        ("Approve.\n\nSorry, that was for Confluence. Jira decision to follow.", Verdict.UNCLEAR),
        # consent as typed in a hurry, beside a signature, a notice or an offer of help
        ("aproved", Verdict.APPROVE),
        ("Appproved.", Verdict.APPROVE),
        ("approved\n\n--\nThis email may contain sensitive information. If you received it "
         "in error, please delete it.", Verdict.APPROVE),
        ("Approved.\n\nCONFIDENTIALITY NOTICE: This message is intended only for the named "
         "recipient.", Verdict.APPROVE),
        ("Decision: Approved\nNote: standard onboarding.", Verdict.APPROVE),
        ("Looks good - approved. Let me know if you need anything else.", Verdict.APPROVE),
        ("Approved. Feel free to reach out if they need help.", Verdict.APPROVE),
        ("This one's approved.", Verdict.APPROVE),
        ("OK to onboard.", Verdict.APPROVE),
        ("Approved :)", Verdict.APPROVE),
        ("Morning! Approved \U0001f642 have a great day", Verdict.APPROVE),
        ("Approved: N :)", Verdict.DENY),
        # a COR confirming a contact change names what changes
        ("I approve this change.", Verdict.APPROVE),
        ("Approve the new SPOC.", Verdict.APPROVE),
        # neither approval nor refusal: a condition on a need, someone else to decide,
        # an out-of-office note without its headers, second thoughts, both words echoed
        ("Approved as long as they don't need custom workflows.", Verdict.UNCLEAR),
        ("No objection, but I'm not the approver.", Verdict.UNCLEAR),
        ("I am out of the office and will not be able to approve requests until I return.",
         Verdict.UNCLEAR),
        ("Approved\nWait, never mind, don't process yet.", Verdict.UNCLEAR),
        ("Approve\nDeny", Verdict.UNCLEAR),
        ("They don't need it.", Verdict.DENY),
        # refusals session 11 left unclear
        ("Sorry, but no.", Verdict.DENY),
        ("I have objections.", Verdict.DENY),
        ("Forbidden.", Verdict.DENY),
    ],
)
def test_the_second_probes_wordings(text: str, verdict: Verdict) -> None:
    assert read_decision(text).verdict is verdict


def test_a_typo_of_the_plural_noun_is_no_consent() -> None:
    assert read_decision("Approvals are handled by Sam now.").verdict is Verdict.UNCLEAR
