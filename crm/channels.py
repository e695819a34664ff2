"""Channels a notification goes out on besides the in-app list: WeCom (企业微信) app messages and
group robots, and SMS through a provider (issue 14).

Each channel is configured from the environment (README "Configuration"); one that is not is
hidden from the preferences page and skipped when sending, never an error. A send raises
``ChannelError``: ``transient`` (the server is down, answers 5xx or "busy") is retried, anything
else is recorded on the delivery row for the admins.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from crm.models import Channel, User

TIMEOUT = 10  # seconds for one HTTP request to a provider
# WeCom's answers meaning "the access token is invalid or expired": fetch a new one and retry.
WECOM_TOKEN_ERRORS = {40014, 42001}
WECOM_BUSY = -1
NO_MENTION = "-"


class ChannelError(Exception):
    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def http_json(url: str, payload: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict:
    """GET (no payload) or POST JSON; the JSON answer. 5xx and network trouble are transient."""
    if not url.startswith(("https://", "http://")):  # urllib would also open file: URLs
        raise ChannelError(f"not an HTTP URL: {url[:40]}")
    data = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else None
    headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - checked above
            text = response.read().decode() or "{}"
    except urllib.error.HTTPError as error:
        raise ChannelError(f"HTTP {error.code} from {_host(url)}", transient=error.code >= 500) from error
    except OSError as error:  # refused, unreachable, timed out
        raise ChannelError(f"{type(error).__name__}: {error}", transient=True) from error
    try:
        return json.loads(text)
    except ValueError:
        return {}


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


class BaseChannel:
    code: ClassVar[str]

    def is_configured(self) -> bool:
        raise NotImplementedError

    def address(self, user: User) -> str:
        """Where this user is reached on the channel; "" when they cannot be."""
        raise NotImplementedError

    def send(self, address: str, text: str) -> None:
        raise NotImplementedError


class WeComAppChannel(BaseChannel):
    """An app message to one member of the corp (corpid, secret, agentid); the access token is
    fetched once and cached until shortly before it expires."""

    code = Channel.WECOM

    def is_configured(self) -> bool:
        return bool(settings.CRM_WECOM_CORP_ID and settings.CRM_WECOM_SECRET and settings.CRM_WECOM_AGENT_ID)

    def address(self, user: User) -> str:
        return user.wecom_id

    def _cache_key(self) -> str:
        return f"crm:wecom-token:{settings.CRM_WECOM_CORP_ID}:{settings.CRM_WECOM_AGENT_ID}"

    def token(self, *, fresh: bool = False) -> str:
        token = None if fresh else cache.get(self._cache_key())
        if token:
            return token
        query = urllib.parse.urlencode({"corpid": settings.CRM_WECOM_CORP_ID, "corpsecret": settings.CRM_WECOM_SECRET})
        answer = http_json(f"{settings.CRM_WECOM_API_URL}/cgi-bin/gettoken?{query}")
        _check_wecom(answer)
        token = answer["access_token"]
        cache.set(self._cache_key(), token, max(int(answer.get("expires_in", 7200)) - 300, 60))
        return token

    def send(self, address: str, text: str) -> None:
        payload = {
            "touser": address,
            "msgtype": "text",
            "agentid": int(settings.CRM_WECOM_AGENT_ID),
            "text": {"content": text},
        }
        for fresh in (False, True):
            url = f"{settings.CRM_WECOM_API_URL}/cgi-bin/message/send?access_token={self.token(fresh=fresh)}"
            answer = http_json(url, payload)
            if answer.get("errcode") not in WECOM_TOKEN_ERRORS:
                break
        _check_wecom(answer)


class WeComGroupChannel(BaseChannel):
    """A group robot's webhook: the message goes to the group, naming the recipient (by mobile
    number when the account has one)."""

    code = Channel.WECOM_GROUP

    def is_configured(self) -> bool:
        return bool(settings.CRM_WECOM_WEBHOOK_URL)

    def address(self, user: User) -> str:
        # The group is reached whatever the user's details; the mobile number only adds a mention.
        return user.phone or NO_MENTION

    def send(self, address: str, text: str) -> None:
        content: dict[str, Any] = {"content": text}
        if address != NO_MENTION:
            content["mentioned_mobile_list"] = [address]
        _check_wecom(http_json(settings.CRM_WECOM_WEBHOOK_URL, {"msgtype": "text", "text": content}))


def _check_wecom(answer: dict) -> None:
    code = answer.get("errcode", 0)
    if code:
        raise ChannelError(f"WeCom error {code}: {answer.get('errmsg', '')}", transient=code == WECOM_BUSY)


class SmsProvider:
    """The interface of an SMS provider: send one text to one phone number, raise ChannelError."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class HttpSmsProvider(SmsProvider):
    """Posts ``{"phone": ..., "text": ...}`` as JSON to CRM_SMS_URL (a gateway of the provider,
    or a small adapter in front of it), with ``Authorization: Bearer CRM_SMS_TOKEN`` if set."""

    def send(self, phone: str, text: str) -> None:
        headers = {"Authorization": f"Bearer {settings.CRM_SMS_TOKEN}"} if settings.CRM_SMS_TOKEN else {}
        http_json(settings.CRM_SMS_URL, {"phone": phone, "text": text, "sender": settings.CRM_SMS_SENDER}, headers)


class SmsChannel(BaseChannel):
    code = Channel.SMS

    def is_configured(self) -> bool:
        return bool(settings.CRM_SMS_URL)

    def address(self, user: User) -> str:
        return user.phone

    def send(self, address: str, text: str) -> None:
        provider: SmsProvider = import_string(settings.CRM_SMS_PROVIDER)()
        provider.send(address, text)


class EmailChannel(BaseChannel):
    """E-mail is sent by crm.services.notification_send_email; here for the preferences."""

    code = Channel.EMAIL

    def is_configured(self) -> bool:
        return True

    def address(self, user: User) -> str:
        return user.email


CHANNELS: dict[str, BaseChannel] = {
    channel.code: channel for channel in (EmailChannel(), WeComAppChannel(), WeComGroupChannel(), SmsChannel())
}
# Off unless the user switches them on (e-mail stays on, as before channels existed).
DEFAULT_ON = {Channel.EMAIL}


def configured_channels() -> list[str]:
    return [code for code, channel in CHANNELS.items() if channel.is_configured()]
