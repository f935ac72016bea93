"""A real SMTP server for the tests (aiosmtpd): plain, STARTTLS or implicit TLS, optional
AUTH, and scripted refusals. Each accepted message is written to --maildir as JSON with its
envelope, whether it came over TLS and as which user. Prints READY once listening."""

import argparse
import asyncio
import json
import os
import ssl
import time
import uuid

from aiosmtpd.controller import Controller
from base64 import b64decode

from aiosmtpd.smtp import AuthResult, LoginPassword


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth", help="user:password required before MAIL")
    p.add_argument("--maildir", required=True)
    p.add_argument("--reject-sender", action="store_true")
    p.add_argument("--reject-recipient", help="address answered 550 5.1.1")
    p.add_argument("--relay-deny", action="store_true", help="554 5.7.1 for every recipient")
    p.add_argument("--temp-fail", action="store_true", help="451 4.3.0 at RCPT")
    p.add_argument("--temp-fail-first", type=int, default=0, help="451 for the first N RCPTs, then accept")
    p.add_argument("--pipelining", action="store_true",
                   help="offer PIPELINING (RFC 2920); aiosmtpd reads commands in order either way")
    p.add_argument("--throttle-first", type=int, default=0,
                   help="421 4.7.0 (slow down, as Exchange Online and Google say it) for the first N RCPTs")
    # Replies as real relays word them (see shared/RELAYS.md), e.g. Exchange Online's
    # "535 5.7.139 Authentication unsuccessful, basic authentication is disabled".
    p.add_argument("--auth-reply", help="this reply to every AUTH attempt, instead of 235")
    p.add_argument("--sender-reply", help="this reply to MAIL FROM, instead of 250")
    p.add_argument("--data-reply", help="this reply at the end of DATA, instead of 250")
    p.add_argument("--xoauth2-token",
                   help="offer AUTH XOAUTH2 and take this bearer token; another one gets the "
                        "334 error challenge, then 535 5.7.3, as Exchange Online answers")
    return p.parse_args()


class Handler:
    def __init__(self, args):
        self.args = args
        self.rcpts = 0

    async def auth_XOAUTH2(self, server, args):
        """SASL XOAUTH2: base64("user=" user "\x01auth=Bearer " token "\x01\x01")."""
        expected = self.args.xoauth2_token
        try:
            fields = dict(
                part.split("=", 1) for part in b64decode(args[1]).decode().split("\x01") if part
            )
            user, scheme_token = fields["user"], fields["auth"]
        except Exception:
            await server.push("501 5.5.2 Malformed XOAUTH2 response")
            return AuthResult(success=False, handled=True)
        if expected and scheme_token == "Bearer " + expected:
            return AuthResult(success=True, handled=False, auth_data=LoginPassword(user.encode(), b""))
        # The error challenge: the client must answer with an empty line.
        await server.challenge_auth('{"status":"401","schemes":"bearer","scope":"https://outlook.office.com/SMTP.Send"}')
        return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.args.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.args.reject_sender:
            return "553 5.7.1 <%s>: Sender address rejected: not owned by user" % address
        if self.args.sender_reply:
            return self.args.sender_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts += 1
        if self.rcpts <= self.args.throttle_first:
            return "421 4.7.0 Too many messages in a short time, slow down"
        if self.args.temp_fail or self.rcpts <= self.args.temp_fail_first:
            return "451 4.3.0 Temporary local problem, try again later"
        if self.args.relay_deny:
            return "554 5.7.1 <%s>: Relay access denied" % address
        if self.args.reject_recipient and address.lower() == self.args.reject_recipient.lower():
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.data_reply:
            return self.args.data_reply
        name = "%d-%s.json" % (time.time_ns(), uuid.uuid4().hex)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": bool(session.ssl) or server.transport.get_extra_info("ssl_object") is not None,
            "user": (session.auth_data.login.decode() if session.authenticated and session.auth_data else None),
            "data": envelope.content.decode("utf-8", "replace"),
        }
        tmp = os.path.join(self.args.maildir, name + ".tmp")
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.args.maildir, name))
        return "250 2.0.0 Ok: queued as %s" % name[:12]


def authenticator(expected, reply=None):
    user, password = expected.split(":", 1)

    def check(server, session, envelope, mechanism, auth_data):
        if reply:
            return AuthResult(success=False, handled=False, message=reply)
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return check


def main():
    args = parse()
    os.makedirs(args.maildir, exist_ok=True)
    kwargs = {}
    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    if args.tls == "starttls":
        kwargs["tls_context"] = context
        kwargs["require_starttls"] = True
    excluded = [] if args.xoauth2_token else ["XOAUTH2"]
    if args.auth:
        kwargs["authenticator"] = authenticator(args.auth, args.auth_reply)
        kwargs["auth_require_tls"] = args.tls == "starttls"
        kwargs["auth_required"] = True
    elif args.xoauth2_token:
        # OAuth only, like a Microsoft 365 tenant created after basic authentication ended.
        kwargs["auth_require_tls"] = args.tls == "starttls"
        kwargs["auth_required"] = True
        excluded += ["LOGIN", "PLAIN"]
    else:
        # Advertise no AUTH at all, like a relay that only accepts by address.
        kwargs["auth_require_tls"] = False
        excluded += ["LOGIN", "PLAIN"]
    kwargs["auth_exclude_mechanism"] = excluded
    controller = Controller(
        Handler(args),
        hostname="127.0.0.1",
        port=args.port,
        ssl_context=context if args.tls == "implicit" else None,
        server_hostname="localhost",
        ready_timeout=10,
        **kwargs,
    )
    controller.start()
    print("READY", flush=True)
    try:
        asyncio.get_event_loop().run_until_complete(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
