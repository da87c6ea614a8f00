"""A real SMTP server for MailTransportTests, built on aiosmtpd.

Listens on 127.0.0.1 on a free port and prints that port on stdout once it accepts connections, so the tests wait
for that line instead of sleeping. Each delivered message is appended to --log as one JSON line: the envelope, the
raw content bytes (base64, after aiosmtpd's dot-unstuffing), whether the session was over TLS, the AUTH
mechanism used and the client's address and port (one per connection). --reject ADDR replies 550 to that recipient, --defer ADDR replies 451.

    python3 smtp_server.py --log FILE [--cert CERT --key KEY] [--plain | --implicit-tls] [--only-auth LOGIN]
                           [--reject ADDR] [--defer ADDR]
"""

import argparse
import asyncio
import base64
import json
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER = b"charter"
PASSWORD = b"p@ss:w/rd%"


class Recorder:
    def __init__(self, log, reject, defer):
        self.log = log
        self.reject = set(reject)
        self.defer = set(defer)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        if address in self.defer:
            return "451 4.3.0 <%s>: Temporary lookup failure, try again" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "content": base64.b64encode(envelope.original_content).decode("ascii"),
            # session.ssl is set after STARTTLS; with implicit TLS the transport itself is the TLS one.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth_mechanism": getattr(session, "charter_auth_mechanism", None),
            # The client's address and port: one per connection, so a test can count connections.
            "peer": "%s:%s" % tuple(session.peer[:2]),
        }
        with open(self.log, "a") as log:
            log.write(json.dumps(record) + "\n")
            log.flush()
        return "250 2.0.0 OK: queued as %d" % sum(1 for _ in open(self.log))


def authenticator(server, session, envelope, mechanism, auth_data):
    if not isinstance(auth_data, LoginPassword):
        return AuthResult(success=False, handled=False)
    if auth_data.login == USER and auth_data.password == PASSWORD:
        session.charter_auth_mechanism = mechanism
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


def main():
    # A child of the Swift test runner inherits its blocked signal mask; unblock SIGTERM so the test can stop us.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--plain", action="store_true", help="no TLS at all; AUTH allowed in the clear")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps), no STARTTLS")
    parser.add_argument("--only-auth", help="advertise only this AUTH mechanism")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--defer", action="append", default=[])
    parser.add_argument("--port", type=int, default=0, help="listen on this port (0: any free one)")
    arguments = parser.parse_args()

    tls_context = None
    if not arguments.plain:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(arguments.cert, arguments.key)
    excluded = []
    if arguments.only_auth:
        excluded = [m for m in ("PLAIN", "LOGIN") if m != arguments.only_auth.upper()]
    handler = Recorder(arguments.log, arguments.reject, arguments.defer)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(
            handler,
            hostname="localhost",
            tls_context=None if arguments.implicit_tls else tls_context,
            require_starttls=not arguments.plain and not arguments.implicit_tls,
            auth_required=True,
            # aiosmtpd counts only STARTTLS as TLS; with implicit TLS every byte is already encrypted.
            auth_require_tls=not arguments.plain and not arguments.implicit_tls,
            auth_exclude_mechanism=excluded,
            authenticator=authenticator,
            loop=loop,
        )

    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=arguments.port, ssl=tls_context if arguments.implicit_tls else None
    ))
    print(server.sockets[0].getsockname()[1], flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
