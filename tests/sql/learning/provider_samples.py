"""The providers' published sample event webhook bodies, as their documentation prints them, with
our id added where each provider puts a sender's own arguments (what the publisher's SMTP headers
make them echo: runner/smtp.py). OUTBOX is replaced by the test's outbox id.

- SendGrid: "Event Webhook Reference", https://sendgrid.com/docs/for-developers/tracking-events/event/
  (unique args at the event's top level: https://sendgrid.com/docs/for-developers/sending-email/unique-arguments/)
- Mailgun: "Webhook Payloads", https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads
  (user-variables from X-Mailgun-Variables)
- Postmark: "Webhooks", https://postmarkapp.com/email-webhooks and
  https://postmarkapp.com/developer/webhooks/webhooks-overview (Metadata from X-PM-Metadata-*)"""

from __future__ import annotations

from typing import Any

OUTBOX = "00000000-0000-0000-0000-000000000000"

SENDGRID: list[dict[str, Any]] = [
    {"email": "example@test.com", "timestamp": 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "processed", "category": "cat facts", "sg_event_id": "sg_event_id_processed",
     "sg_message_id": "sg_message_id", "aicrm_outbox_id": OUTBOX},
    {"email": "example@test.com", "timestamp": 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "deferred", "category": "cat facts", "sg_event_id": "sg_event_id_deferred",
     "sg_message_id": "sg_message_id", "response": "400 try again later", "attempt": "5", "aicrm_outbox_id": OUTBOX},
    {"email": "example@test.com", "timestamp": 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "delivered", "category": "cat facts", "sg_event_id": "sg_event_id_delivered",
     "sg_message_id": "sg_message_id", "response": "250 OK", "aicrm_outbox_id": OUTBOX},
    {"email": "example@test.com", "timestamp": 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "open", "category": "cat facts", "sg_event_id": "sg_event_id_open", "sg_message_id": "sg_message_id",
     "useragent": "Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)",
     "ip": "255.255.255.255", "aicrm_outbox_id": OUTBOX},
    {"email": "example@test.com", "timestamp": 1513299570, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "open", "category": "cat facts", "sg_event_id": "sg_event_id_open_again",
     "sg_message_id": "sg_message_id", "ip": "255.255.255.255", "aicrm_outbox_id": OUTBOX},
    {"email": "example@test.com", "timestamp": 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "click", "category": "cat facts", "sg_event_id": "sg_event_id_click", "sg_message_id": "sg_message_id",
     "useragent": "Mozilla/4.0", "ip": "255.255.255.255", "url": "http://www.sendgrid.com/", "aicrm_outbox_id": OUTBOX},
    {"email": "other@test.com", "timestamp": 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "bounce", "category": "cat facts", "sg_event_id": "sg_event_id_bounce", "sg_message_id": "sg_message_id",
     "reason": "500 unknown recipient", "status": "5.0.0", "type": "bounce", "aicrm_outbox_id": OUTBOX},
    {"email": "example@test.com", "timestamp": 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "spamreport", "category": "cat facts", "sg_event_id": "sg_event_id_spam",
     "sg_message_id": "sg_message_id", "aicrm_outbox_id": OUTBOX},
    {"email": "example@test.com", "timestamp": 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
     "event": "unsubscribe", "category": "cat facts", "sg_event_id": "sg_event_id_unsub",
     "sg_message_id": "sg_message_id", "aicrm_outbox_id": OUTBOX},
    # another sender's mail on the same account: no aicrm_outbox_id, not ours
    {"email": "example@test.com", "timestamp": 1513299569, "event": "open", "sg_event_id": "sg_event_id_foreign",
     "sg_message_id": "sg_message_id"},
]  # fmt: skip


def mailgun(event: str, event_id: str, **extra: Any) -> dict[str, Any]:
    """One Mailgun webhook body (a signature and one event-data), as in "Webhook Payloads"."""
    return {
        "signature": {"timestamp": "1529006854", "token": "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
                      "signature": "d2271d12299f6592d9d44cd9d250f0704e4674c30d79d07c47a66f95ce71cf55"},
        "event-data": {
            "account": {"id": "1234567890303a4bd1f33898"}, "domain": {"name": "sample.mailgun.com"},
            "event": event, "id": event_id, "log-level": "info", "recipient": "recipient@sample.mailgun.com",
            "recipient-domain": "sample.mailgun.com", "timestamp": 1521472262.908181,
            "message": {"headers": {"from": "Sample Sender <sender@sample.mailgun.com>",
                                    "message-id": "20260203192638.000be97f99f8cea1@sample.mailgun.com",
                                    "subject": "Sample webhook payload", "to": "recipient@sample.mailgun.com"}},
            "tags": ["my_tag_1"], "user-variables": {"aicrm_outbox_id": OUTBOX},
            **extra,
        },
    }  # fmt: skip


MAILGUN = {
    "accepted": mailgun("accepted", "CCXMjJ7nQi2N3BPigGOdgQ", method="HTTP"),
    "delivered": mailgun("delivered", "CPgfbmQMTCKtHW6uIWtuVe", **{"delivery-status": {"code": 250}}),
    "opened": mailgun("opened", "Ase7i2zsRYeDXztHGENqRA", ip="50.56.129.169"),
    "clicked": mailgun("clicked", "Ase7i2zsRYeDXztHGENqRB", url="https://example.com/offer", ip="50.56.129.169"),
    "failed_temporary": mailgun("failed", "G9Bn5sl1TC6nu79C8C0bwg", severity="temporary", reason="generic"),
    "failed_permanent": mailgun("failed", "G9Bn5sl1TC6nu79C8C0bwh", severity="permanent", reason="bounce"),
    "complained": mailgun("complained", "-Agny091SquKnsrW2NEKUA"),
    "unsubscribed": mailgun("unsubscribed", "Ase7i2zsRYeDXztHGENqRC", ip="50.56.129.169"),
}

POSTMARK_DELIVERY = {
    "RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "Recipient": "john@example.com", "Tag": "welcome-email",
    "DeliveredAt": "2019-11-05T16:33:54.9070259Z", "Details": "Test delivery webhook details",
    "Metadata": {"a_key": "a_value", "aicrm_outbox_id": OUTBOX},
}  # fmt: skip
POSTMARK_OPEN = {
    "RecordType": "Open", "MessageStream": "outbound", "FirstOpen": True,
    "Client": {"Name": "Chrome 35.0.1916.153", "Company": "Google", "Family": "Chrome"},
    "OS": {"Name": "OS X 10.7 Lion", "Company": "Apple Computer, Inc.", "Family": "OS X 10"},
    "Platform": "WebMail", "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5)", "ReadSeconds": 5,
    "Geo": {"CountryISOCode": "RS", "Country": "Serbia", "City": "Novi Sad", "IP": "188.2.95.4"},
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "Metadata": {"aicrm_outbox_id": OUTBOX},
    "ReceivedAt": "2019-11-05T16:33:54.9070259Z", "Tag": "welcome-email", "Recipient": "john@example.com",
}  # fmt: skip
POSTMARK_CLICK = {
    "RecordType": "Click", "MessageStream": "outbound", "ClickLocation": "HTML",
    "Client": {"Name": "Chrome 35.0.1916.153", "Company": "Google", "Family": "Chrome"},
    "OS": {"Name": "OS X 10.7 Lion", "Company": "Apple Computer, Inc.", "Family": "OS X 10"},
    "Platform": "Desktop", "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5)",
    "OriginalLink": "https://example.com", "Geo": {"IP": "188.2.95.4"},
    "MessageID": "00000000-0000-0000-0000-000000000000", "Metadata": {"aicrm_outbox_id": OUTBOX},
    "ReceivedAt": "2017-10-25T15:21:11.0000000Z", "Tag": "welcome-email", "Recipient": "john@example.com",
}  # fmt: skip
POSTMARK_BOUNCE = {
    "RecordType": "Bounce", "ID": 42, "Type": "HardBounce", "TypeCode": 1, "Name": "Hard bounce", "Tag": "Test",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "ServerID": 1234, "MessageStream": "outbound",
    "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    "Details": "Test bounce details", "Email": "jane@example.com", "From": "sender@example.com",
    "BouncedAt": "2019-11-05T16:33:54.9070259Z", "DumpAvailable": True, "Inactive": True, "CanActivate": True,
    "Subject": "Test subject", "Content": "<Full dump of bounce>", "Metadata": {"aicrm_outbox_id": OUTBOX},
}  # fmt: skip
POSTMARK_SOFT_BOUNCE = POSTMARK_BOUNCE | {"ID": 43, "Type": "SoftBounce", "TypeCode": 4096, "Inactive": False}
POSTMARK_SPAM = {
    "RecordType": "SpamComplaint", "MessageStream": "outbound", "ID": 42, "Type": "SpamComplaint", "TypeCode": 512,
    "Name": "Spam complaint", "Tag": "Test", "MessageID": "00000000-0000-0000-0000-000000000000",
    "ServerID": 1234, "Description": "", "Details": "Test spam complaint details", "Email": "john@example.com",
    "From": "sender@example.com", "BouncedAt": "2019-11-05T16:33:54.9070259Z", "DumpAvailable": True,
    "Inactive": True, "CanActivate": False, "Subject": "Test subject", "Content": "<Abuse report dump>",
    "Metadata": {"aicrm_outbox_id": OUTBOX},
}  # fmt: skip
POSTMARK_SUBSCRIPTION = {
    "RecordType": "SubscriptionChange", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "ServerID": 123456,
    "MessageStream": "outbound", "ChangedAt": "2020-02-01T10:53:34.416071Z", "Recipient": "bounced-address@wildbit.com",
    "Origin": "Recipient", "SuppressSending": True, "SuppressionReason": "ManualSuppression", "Tag": "my-tag",
    "Metadata": {"aicrm_outbox_id": OUTBOX},
}  # fmt: skip
