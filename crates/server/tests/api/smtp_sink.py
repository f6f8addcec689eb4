"""A real SMTP server on loopback for the mail tests (aiosmtpd).

    python3 smtp_sink.py PORT OUT_DIR REFUSE_FIRST BOUNCE_ADDRESS [LOSE_FIRST]

Answers 451 (try again later) to the first REFUSE_FIRST messages, 550 (no such mailbox) to
BOUNCE_ADDRESS, and writes every message it accepts to OUT_DIR as N.eml. The first LOSE_FIRST
messages it keeps get no answer: the connection is cut instead, as when a reply is lost on
the way, so the sender cannot know that it has them. Prints "ready" once it listens; runs
until killed.
"""

import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, refuse_first, bounce, lose_first):
        self.out = Path(out)
        self.refuse_first = refuse_first
        self.lose_first = lose_first
        self.bounce = bounce.lower()
        self.seen = 0
        self.accepted = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() == self.bounce:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen <= self.refuse_first:
            return "451 4.3.0 Try again later"
        self.accepted += 1
        name = self.out / f"{self.accepted}.eml"
        tmp = self.out / f".{self.accepted}.tmp"
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(name)
        if self.accepted <= self.lose_first:
            server.transport.close()
        return "250 Message accepted"


def main():
    port, out, refuse_first, bounce = sys.argv[1:5]
    lose_first = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    sink = Sink(out, int(refuse_first), bounce, lose_first)
    controller = Controller(sink, hostname="127.0.0.1", port=int(port))
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
