"""Send a hand-off request to the programme team by e-mail (standard library only).

The server comes from one URL setting: ``smtp://user:password@host:port`` (STARTTLS
when ``?starttls=true``), or ``smtps://...`` for TLS from the start.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT_SECONDS = 10.0


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


def handoff_message(
    mail_from: str,
    mail_to: str,
    email: str,
    text: str,
    transcript: list[dict[str, str]],
    console_url: str,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "IUC assistant: a visitor asks to talk to a person"
    message["From"] = mail_from
    message["To"] = mail_to
    message["Reply-To"] = email
    lines = [f"From: {email}", "", text, "", "Conversation:"]
    lines += [f"  {turn['from']}: {turn['text']}" for turn in transcript]
    lines += ["", f"Mark it done in the staff console: {console_url}"]
    message.set_content("\n".join(lines))
    return message


def send(smtp_url: str, message: EmailMessage) -> None:
    """Deliver ``message``; raises MailError with the reason."""
    url = urlsplit(smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise MailError("the SMTP URL must look like smtp://user:pass@host:port")
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 25)
    starttls = parse_qs(url.query).get("starttls", ["false"])[0].lower() == "true"
    try:
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(url.hostname, port, timeout=TIMEOUT_SECONDS)
            if secure
            else smtplib.SMTP(url.hostname, port, timeout=TIMEOUT_SECONDS)
        )
        with smtp:
            if starttls:
                smtp.starttls(context=ssl.create_default_context())
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
