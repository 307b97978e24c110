"""html_to_text: form tables as label lines, quote containers as "> " lines, no noise."""

from __future__ import annotations

from onboardd.parsers.html import html_to_text
from onboardd.parsers.reply import trim_reply


def test_two_cell_rows_become_label_value_lines() -> None:
    text = html_to_text(
        "<table><tr><th>Organization</th><td>Acme</td></tr>"
        "<tr><td><b>Users:</b></td><td>25</td></tr>"
        "<tr><td>Justification</td><td><p>Line one</p><p>line two</p></td></tr></table>"
    )
    assert text.split("\n") == [
        "Organization: Acme",
        "Users: 25",
        "Justification: Line one",
        "line two",
    ]


def test_wider_tables_row_by_row_and_layout_tables_keep_their_lines() -> None:
    text = html_to_text(
        "<table><tr><td>Service</td><td>Lead</td><td>Users</td></tr>"
        "<tr><td>Jira</td><td>Ann</td><td>5</td></tr></table>"
        "<table><tr><td><p>Org: Acme</p><p>Users: 9</p></td></tr></table>"
    )
    assert "Service | Lead | Users" in text
    assert "Jira | Ann | 5" in text
    assert "Org: Acme" in text.split("\n") and "Users: 9" in text.split("\n")


def test_text_after_inline_content_and_tables_starts_a_new_line() -> None:
    text = html_to_text("<div>Hello<table><tr><td>Org</td><td>Acme</td></tr></table>bye</div>")
    assert text.split("\n")[0] == "Hello"
    assert "Org: Acme" in text.split("\n")


def test_no_markdown_noise_and_no_wrapping() -> None:
    long = "word " * 60
    text = html_to_text(
        f"<h2>Request</h2><p><b>Bold</b> <i>it</i> <a href='https://x.example'>link</a> "
        f"<img src='x.png' alt='logo'>1. Org: A&amp;B</p><p>- dash</p><p>{long}</p>"
        "<ul><li>Jira</li><li>Slack</li></ul><p>a&nbsp;b</p>"
    )
    assert "Request" in text and "#" not in text
    assert "Bold it link" in text
    assert "*" not in text and "](" not in text and "\\" not in text
    assert "1. Org: A&B" in text and "- dash" in text
    assert long.strip() in text  # one line, not wrapped
    assert "- Jira" in text and "a b" in text


def test_gmail_quote_is_quoted_and_trimmed_away() -> None:
    html = (
        '<div dir="ltr">Yes, approved.</div><div class="gmail_quote">'
        '<div class="gmail_attr">On Mon, Nov 2, 2026 Dana wrote:</div>'
        "<blockquote>Organization: Old Corp<br>Users: 500</blockquote></div>"
    )
    text = html_to_text(html)
    assert all(line.startswith(">") for line in text.split("\n")[1:] if line)
    assert trim_reply(text) == "Yes, approved."


def test_outlook_reply_header_and_everything_after_it_is_quoted() -> None:
    html = (
        "<p>New text</p><div id='appendonsend'></div><hr>"
        "<div id='divRplyFwdMsg'><b>From:</b> Jane<br><b>Sent:</b> Monday</div>"
        "<div><table><tr><td>Organization</td><td>Old Corp</td></tr>"
        "<tr><td>Users</td><td>7</td></tr></table></div><p>old para</p>"
    )
    text = html_to_text(html)
    lines = text.split("\n")
    assert lines[0] == "New text"
    assert "> Organization: Old Corp" in lines and "> Users: 7" in lines
    assert "> old para" in lines
    assert trim_reply(text) == "New text"


def test_outlook_desktop_border_top_block_is_quoted() -> None:
    html = (
        "<div class=WordSection1><p>Approved.</p>"
        "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in'>"
        "<p><b>From:</b> Jane Doe &lt;jane@x.example.com&gt;<br><b>Sent:</b> Monday<br>"
        "<b>To:</b> Dana</p></div><p>Users: 300</p></div>"
    )
    text = html_to_text(html)
    assert trim_reply(text) == "Approved."
    assert "> Users: 300" in text.split("\n")


def test_plain_blockquote_and_scripts() -> None:
    text = html_to_text(
        "<style>p{}</style><script>x()</script><p>Hi</p>"
        "<blockquote type='cite'>quoted<br>more</blockquote><!-- c -->"
    )
    assert text.split("\n") == ["Hi", "", "> quoted", "> more"]


def test_a_form_in_columns_pairs_each_heading_with_the_value_under_it() -> None:
    text = html_to_text(
        "<table><tr><th>Organization</th><th>Service(s)</th><th>Number of users</th></tr>"
        "<tr><td>Acme Health</td><td>Jira</td><td>12</td></tr>"
        "<tr><td><b>COR Approval</b></td><td><strong>Justification</strong></td>"
        "<td><b><span>Contract #</span></b></td></tr>"
        "<tr><td>Approved by Dana Smith</td><td>defect tracking</td><td></td></tr></table>"
    )
    assert text.split("\n") == [
        "Organization: Acme Health", "Service(s): Jira", "Number of users: 12",
        "COR Approval: Approved by Dana Smith", "Justification: defect tracking",
    ]


def test_a_list_under_headings_stays_row_by_row() -> None:
    text = html_to_text(
        "<table><tr><th>Name</th><th>Email</th><th>Role</th></tr>"
        "<tr><td>Ann</td><td>ann@acme.example</td><td>tester</td></tr>"
        "<tr><td>Bo</td><td>bo@acme.example</td><td>analyst</td></tr></table>"
        "<table><tr><td>Service</td><td><b>Users</b></td><td>Lead</td></tr>"
        "<tr><td>Jira</td><td>5</td><td>Ann</td></tr></table>"
    )
    assert text.split("\n") == [
        "Name | Email | Role", "Ann | ann@acme.example | tester", "Bo | bo@acme.example | analyst",
        "", "Service | Users | Lead", "Jira | 5 | Ann",
    ]


def test_word_paragraphs_with_bold_labels_and_values_in_the_next_row() -> None:
    text = html_to_text(
        '<div class="WordSection1">'
        '<p class="MsoNormal"><b><span style="font-family:Calibri">Organization:</span></b>'
        '<span> Acme Health<o:p></o:p></span></p>'
        '<p class="MsoNormal"><strong>Name of QualityNet IT Service</strong><o:p></o:p></p>'
        '<p class="MsoNormal">Jira<o:p></o:p></p>'
        '<table class="MsoTableGrid"><tr><td><p class="MsoNormal"><b>Number of Users'
        "<o:p></o:p></b></p></td></tr><tr><td><p class=MsoNormal>25<o:p></o:p></p></td></tr>"
        "</table></div>"
    )
    assert [line for line in text.split("\n") if line] == [
        "Organization: Acme Health", "Name of QualityNet IT Service", "Jira",
        "Number of Users", "25",
    ]


def test_a_definition_list_keeps_each_term_above_its_value() -> None:
    text = html_to_text(
        "<dl><dt>Organization</dt><dd>Acme Health</dd>"
        "<dt>Business Justification for Use of Service</dt><dd>Defect tracking</dd></dl>"
    )
    assert [line for line in text.split("\n") if line] == [
        "Organization", "Acme Health", "Business Justification for Use of Service",
        "Defect tracking",
    ]
