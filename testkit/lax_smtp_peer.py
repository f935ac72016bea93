"""A lax SMTP server for the tests, like the relays hit by the 2023 SMTP-smuggling attacks: a
line ends at CRLF, at a lone CR or at a lone LF, so `<CR>.<CR><LF>` or `<LF>.<LF>` ends the
data, and whatever follows in the same packet is read as the next commands of the session.
Plain TCP on 127.0.0.1, no TLS, no AUTH: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.

Each message it believes it received is written to --maildir as JSON (the fields smtp_peer.py
writes), and every command line to --commands, one per line, as it was read (so once QUIT
is there, everything sent before it has been handled). --quit says how
it answers QUIT: "answer" (221, then close), "silent" (no answer, never closes), "linger"
(221, never closes). Prints READY once listening."""

import argparse
import asyncio
import json
import os
import re
import time
import uuid

LINE_END = re.compile(rb"\r\n|\r|\n")
ADDRESS = re.compile(r"\s*<([^>]*)>")


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--commands", required=True)
    p.add_argument("--quit", choices=["answer", "silent", "linger"], default="answer")
    return p.parse_args()


class Session:
    def __init__(self, args, reader, writer):
        self.args = args
        self.reader = reader
        self.writer = writer
        self.buffer = b""
        self.reset()

    def reset(self):
        self.mail_from = None
        self.rcpt_tos = []

    async def line(self):
        """The next line and its end (CRLF, CR or LF), or None once the client has gone. A CR
        at the end of what arrived so far waits for the next byte, which may be its LF."""
        while True:
            found = LINE_END.search(self.buffer)
            if found and not (found.group() == b"\r" and found.end() == len(self.buffer)):
                line, end = self.buffer[: found.start()], found.group()
                self.buffer = self.buffer[found.end():]
                return line, end
            chunk = await self.reader.read(65536)
            if not chunk:
                return None
            self.buffer += chunk

    async def say(self, text):
        """Answers; a client that has gone does not stop the session, which reads on to the
        end of what was sent, as a relay working through its input buffer would."""
        try:
            self.writer.write(text.encode() + b"\r\n")
            await self.writer.drain()
        except ConnectionError:
            pass

    def log(self, command):
        with open(self.args.commands, "a", encoding="utf-8") as f:
            f.write(command + "\n")

    def record(self, data):
        name = "%d-%s.json" % (time.time_ns(), uuid.uuid4().hex)
        message = {
            "mail_from": self.mail_from,
            "rcpt_tos": self.rcpt_tos,
            "tls": False,
            "user": None,
            "data": data.decode("utf-8", "replace"),
        }
        tmp = os.path.join(self.args.maildir, name + ".tmp")
        with open(tmp, "w") as f:
            json.dump(message, f)
        os.rename(tmp, os.path.join(self.args.maildir, name))
        return name

    async def data(self):
        """Reads the data up to a line holding a dot alone, however that line ended."""
        kept = []
        while True:
            read = await self.line()
            if read is None:
                return None
            line, end = read
            if line == b".":
                return b"".join(kept)
            kept.append((line[1:] if line.startswith(b".") else line) + end)

    async def run(self):
        await self.say("220 lax.test ESMTP lax peer")
        while True:
            read = await self.line()
            if read is None:
                return
            command = read[0].decode("latin-1")
            self.log(command)
            upper = command.upper()
            if upper.startswith("EHLO"):
                self.reset()
                await self.say("250-lax.test\r\n250-8BITMIME\r\n250 PIPELINING")
            elif upper.startswith("HELO"):
                self.reset()
                await self.say("250 lax.test")
            elif upper.startswith("MAIL FROM:"):
                found = ADDRESS.match(command[10:])
                self.reset()
                self.mail_from = found.group(1) if found else command[10:].strip()
                await self.say("250 2.1.0 Ok")
            elif upper.startswith("RCPT TO:"):
                found = ADDRESS.match(command[8:])
                if self.mail_from is None:
                    await self.say("503 5.5.1 Error: need MAIL command")
                else:
                    self.rcpt_tos.append(found.group(1) if found else command[8:].strip())
                    await self.say("250 2.1.5 Ok")
            elif upper == "DATA":
                if not self.rcpt_tos:
                    await self.say("503 5.5.1 Error: need RCPT command")
                    continue
                await self.say("354 End data with <CR><LF>.<CR><LF>")
                data = await self.data()
                if data is None:
                    return
                name = self.record(data)
                self.reset()
                await self.say("250 2.0.0 Ok: queued as %s" % name[:12])
            elif upper == "RSET":
                self.reset()
                await self.say("250 2.0.0 Ok")
            elif upper == "NOOP":
                await self.say("250 2.0.0 Ok")
            elif upper == "QUIT":
                if self.args.quit != "silent":
                    await self.say("221 2.0.0 Bye")
                if self.args.quit == "answer":
                    return
                # Neither answer nor close: read (and ignore) until the client goes.
                while await self.reader.read(65536):
                    pass
                return
            else:
                await self.say("500 5.5.2 Error: command not recognized")


async def main():
    args = parse()
    os.makedirs(args.maildir, exist_ok=True)

    async def serve(reader, writer):
        try:
            await Session(args, reader, writer).run()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", args.port)
    print("READY", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
