"""Subject lines that machines write: out-of-office notices and delivery failures."""

from __future__ import annotations

import re

# Phrases only an automatic reply starts its subject with; a person's subject that
# merely begins with one of these words is unlikely when ":" must follow.
_AUTO_REPLY_PHRASES = (
    # English
    "auto reply", "auto-reply", "autoreply", "auto response", "auto-response",
    "autoresponse", "autorespons", "automatic reply", "automatic response",
    "automated reply", "automated response", "auto", "out of office autoreply",
    "out of office reply", "out of office", "out of the office", "ooo", "vacation reply",
    "away from the office",
    # German
    "abwesenheitsnotiz", "automatische antwort", "automatische abwesenheitsnotiz",
    "autom. antwort", "abwesend", "abwesenheit",
    # French
    "réponse automatique", "reponse automatique", "absence", "absent du bureau",
    "absente du bureau", "message d'absence",
    # Spanish, Italian, Portuguese
    "respuesta automática", "respuesta automatica", "fuera de la oficina",
    "fuera de oficina", "ausente", "risposta automatica", "fuori sede",
    "fuori ufficio", "resposta automática", "resposta automatica", "ausência",
    "fora do escritório",
    # Dutch, Scandinavian, Finnish, Polish, Turkish, Russian
    "automatisch antwoord", "afwezig", "niet aanwezig", "autosvar", "automatiskt svar",
    "automatisk svar", "frånvaro", "fraværende", "automaattinen vastaus", "poissa",
    "automatyczna odpowiedź", "nieobecność", "otomatik yanıt", "otomatik cevap",
    "ofis dışında", "автоответ", "автоматический ответ",
    # Japanese, Chinese, Korean
    "自動返信", "自動応答", "自動送信", "不在", "不在通知", "不在のお知らせ", "留守",
    "自动回复", "自動回覆", "自动答复", "自動回復", "自动应答", "外出", "休假",
    "자동 응답", "자동응답", "부재중",
)
# Unmistakable with or without a colon after them.
_OPEN_PHRASES = ("out of office", "out of the office", "automatic reply", "auto reply",
                 "autoreply", "abwesenheitsnotiz", "réponse automatique",
                 "respuesta automática", "risposta automatica", "automatisch antwoord",
                 "自動返信", "自动回复", "自動回覆", "자동 응답")

_TAGS = r"^\s*(?:\[[^\]]{0,40}\]\s*)*"  # "[EXTERNAL]"-style tags in front
_AUTO_REPLY = re.compile(
    _TAGS + r"(?:"
    + "|".join(re.escape(p) for p in sorted(_OPEN_PHRASES, key=len, reverse=True))
    + r")(?:\b|\s|:|$)"
    + r"|" + _TAGS + r"(?:"
    + "|".join(re.escape(p) for p in sorted(_AUTO_REPLY_PHRASES, key=len, reverse=True))
    + r")\s*(?:[:：]|\s-\s|$)",
    re.IGNORECASE,
)

_BOUNCE = re.compile(
    _TAGS + r"(undelivered mail|undeliverable|delivery status notification"
    r"|delivery notification|delivery failure|delivery failed|delivery has failed"
    r"|mail delivery failed|mail delivery failure|mail delivery system"
    r"|message delivery failure|message not delivered|returned mail|returned to sender"
    r"|failure notice|failed delivery|non[- ]?delivery|nondeliverable"
    r"|mail system error|warning: could not send|delayed mail|delivery delayed"
    r"|complaint about message from|abuse report|loop alert"
    r"|unzustellbar|non remis|no se puede entregar|non recapitabile"
    r"|メールエラー|配信エラー|送信エラー|未送達|退信|退回)",
    re.IGNORECASE,
)
_HUMAN_PREFIX = re.compile(r"^\s*(re|aw|sv|fwd?|fw|wg|tr|rv)\s*:", re.IGNORECASE)


def auto_reply_subject(subject: str) -> bool:
    """An out-of-office or automatic-reply subject, in one of the common languages."""
    return bool(_AUTO_REPLY.match(subject))


def bounce_subject(subject: str) -> bool:
    """A delivery-failure subject; a person forwarding or answering one is not a bounce."""
    return not _HUMAN_PREFIX.match(subject) and bool(_BOUNCE.match(subject))
