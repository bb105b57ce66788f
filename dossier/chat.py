"""Conversations on the command line: streamed answers, ``dossier chat`` and its commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from assistant.conversations import ConversationStore
from assistant.events import Delta, Done, Event, Reset, Rewritten, outcome
from assistant.service import Assistant
from assistant.types import EXTRACTIVE, Answer
from corpus.errors import DossierError, UsageError
from dossier import render, wiring
from dossier.settings import Settings

CHAT_HELP = """commands: /sources  show the sources of the last answer
          /new      start a new conversation
          /history  show this conversation so far
          /export FILE  save this conversation as Markdown
          /quit     leave (Ctrl-D works too)"""


DRAFT = "[draft: a model is writing; the answer is checked against its sources when done]"


def print_stream(events: Iterable[Event], out: TextIO = sys.stdout, draft: bool = False) -> Answer:
    """Print text as it arrives (a model's text under a ``draft`` line: the checked answer may
    differ, and is then printed whole); then the sources. Returns the final answer."""
    streamed = ""
    for event in events:
        if isinstance(event, Rewritten):
            print(f"(searching for: {event.question})", file=out, flush=True)
        elif isinstance(event, Reset):
            print(f"\n[{event.note}]", file=out, flush=True)
            streamed, draft = "", False  # what follows is the fallback's answer itself
        elif isinstance(event, Delta):
            if draft and not streamed:
                print(DRAFT, file=out, flush=True)
            print(event.text, end="", file=out, flush=True)
            streamed += event.text
        elif isinstance(event, Done):
            if streamed:
                print(file=out)
            same = event.answer.text.strip() == streamed.strip()
            if not same:
                print("\n[checked answer]" if streamed else "", file=out)
            print(render.answer_text(event.answer, body=not same), file=out, flush=True)
            return event.answer
    raise RuntimeError("the answer stream ended without an answer")


def _store(helper: Assistant) -> ConversationStore:
    if helper.conversations is None:  # wiring.assistant always gives one: a bug
        raise RuntimeError("this assistant keeps no conversations")
    return helper.conversations


def ask(helper: Assistant, question: str, k: int | None, conversation: str | None,
        as_json: bool, collection: str) -> int:  # fmt: skip
    store = _store(helper)
    conv = store.get(conversation) if conversation else store.create(collection)
    try:
        return _answer(helper, question, k, conv.conversation_id, as_json)
    except BaseException:  # a failed first ask leaves no empty conversation behind
        if conversation is None and store.get(conv.conversation_id).n_turns == 0:
            store.delete(conv.conversation_id)
        raise


def _answer(helper: Assistant, question: str, k: int | None, cid: str, as_json: bool) -> int:
    events = helper.stream(question, k, cid)
    if as_json:
        answer, rewritten = outcome(events)
        data = helper.to_dict(answer, cid, rewritten)
        data["warnings"] = helper.collection.warnings()  # dense search failed or behind
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print_stream(events, draft=helper.answerer.name != EXTRACTIVE)
        for w in helper.collection.warnings():
            print(f"warning: {w}", file=sys.stderr)
        print(f"\n(conversation {cid}: continue with --conversation {cid})", file=sys.stderr)
    return 0


def cmd_chat(args: argparse.Namespace, s: Settings) -> int:
    helper = wiring.assistant(s, llm=args.llm)
    store = _store(helper)
    conv = store.get(args.conversation) if args.conversation else store.create(s.collection)
    last: Answer | None = None
    print(
        f"Dossier chat on '{helper.collection.name}' ({helper.answerer.name}); /help for commands"
    )
    while True:
        try:
            line = input("\n> ").strip()
        except EOFError:
            print()
            return 0
        if not line:
            continue
        if line.startswith("/"):
            cmd, _, arg = line.partition(" ")
            if cmd in ("/quit", "/exit"):
                return 0
            if cmd == "/new":
                conv = store.create(s.collection)
                last = None
                print(f"new conversation {conv.conversation_id}")
            elif cmd == "/sources":
                print(render.answer_text(last, body=False) if last else "no answer yet")
            elif cmd == "/history":
                for t in store.turns(conv.conversation_id):
                    print(f"> {t.question}\n{t.answer.get('answer', '')}\n")
            elif cmd == "/export":
                if not arg:
                    print("usage: /export FILE")
                    continue
                Path(arg).expanduser().write_text(store.export_markdown(conv.conversation_id))
                print(f"saved {arg}")
            else:
                print(CHAT_HELP)
            continue
        try:
            last = print_stream(
                helper.stream(line, None, conv.conversation_id),
                draft=helper.answerer.name != EXTRACTIVE,
            )
        except DossierError as err:  # one bad turn must not end the conversation
            print(f"error: {err}")


def cmd_conversations(args: argparse.Namespace, s: Settings) -> int:
    store = wiring.conversations(s)
    action = args.action or "list"
    data: object
    if action == "list":
        convs = store.list(None if args.all else s.collection)
        data = [c.to_dict() for c in convs]
        text = "\n".join(f"{c.conversation_id}  {c.updated_at}  {c.n_turns:>3} turns  {c.title}"
                         for c in convs) or "no conversations yet"  # fmt: skip
    elif not args.id:
        raise UsageError(f"'dossier conversations {action}' needs a conversation ID")
    elif action == "show":
        turns = store.turns(args.id)
        data = [t.to_dict() for t in turns]
        text = store.export_markdown(args.id)
    elif action == "rename":
        if not args.title:
            raise UsageError("rename needs a new title: dossier conversations rename ID TITLE")
        conv = store.rename(args.id, args.title)
        data, text = conv.to_dict(), f"renamed {conv.conversation_id}: {conv.title}"
    elif action == "delete":
        store.delete(args.id)
        data, text = {"deleted": args.id}, f"deleted {args.id}"
    elif action == "export":
        md = store.export_markdown(args.id)
        if args.output:
            Path(args.output).write_text(md, encoding="utf-8")
        data, text = (
            {"exported": args.id, "file": args.output},
            (f"saved {args.output}" if args.output else md),
        )
    else:
        raise UsageError(f"unknown action '{action}'")
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)
    return 0
