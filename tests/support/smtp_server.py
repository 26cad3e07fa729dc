#!/usr/bin/python3
"""An SMTP receiver for tests, on Debian's python3-aiosmtpd (run with /usr/bin/python3).

    smtp_server.py --dir DIR [--reject-rcpt ADDR]... [--auth USER:PASSWORD]

Listens on 127.0.0.1:0 and prints the port as the first stdout line. Each accepted message
is saved as DIR/<n>.eml (the DATA bytes as received, n = 1, 2, ...) with its envelope in
DIR/<n>.json: {"mail_from", "rcpt_tos", "peer", "auth_login"}. The .json is written after
the .eml, so a test that sees <n>.json can read both.

--reject-rcpt answers `550 5.1.1 no such user` for that recipient; --auth requires AUTH
(PLAIN or LOGIN, allowed without TLS) with these credentials.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, directory, reject):
        self.directory = directory
        self.reject = set(reject)
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "peer": list(session.peer) if session.peer else None,
            "auth_login": session.auth_data if session.authenticated else None,
        }
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(meta, f)
        os.replace(base + ".json.tmp", base + ".json")
        return "250 2.0.0 OK: queued as %d" % self.count


def make_authenticator(credentials):
    user, _, password = credentials.partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)

    return authenticate


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    handler = Handler(args.dir, args.reject_rcpt)
    kwargs = {"hostname": "alertgate-test-smtp", "enable_SMTPUTF8": True}
    if args.auth:
        kwargs.update(auth_required=True, auth_require_tls=False,
                      authenticator=make_authenticator(args.auth))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, **kwargs), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main():
    # Plain-text AUTH is what tests want; aiosmtpd warns about it (and its own deprecations).
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True, help="where .eml and .json files go")
    parser.add_argument("--reject-rcpt", action="append", default=[], metavar="ADDR")
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
