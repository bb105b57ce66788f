"""The ``dossier`` command's arguments: its subcommands, their options and their help.

Choices (embedders, answer backends) come from the registries, so a new one shows here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.llm import BACKENDS
from dossier import __version__
from dossier.web import CONCURRENCY
from index.embedder import EMBEDDERS

EPILOG = (
    "Settings come from flags, DOSSIER_* environment variables and $DOSSIER_HOME/config.toml; "
    "'dossier config' lists them all. Exit codes: 0 ok, 1 unexpected error, 2 bad usage, "
    "3 some files failed to ingest, 4 settings mismatch, 5 not found, 6 missing extra, "
    "7 model backend failure, 8 vector store unreachable, 9 Chroma collection of another "
    "home, 10 another writer busy, 11 check found problems, 130 interrupted, 141 the output's "
    "reader left."
)


def _common(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("common options")
    g.add_argument("-c", "--collection", help="collection to use (default: 'default')")
    g.add_argument("--home", help="state folder (default: $DOSSIER_HOME or the user data dir)")
    g.add_argument(
        "--embedder", choices=list(EMBEDDERS),
        help="embedding model: " + "; ".join(f"{k.name} ({k.description})"
                                             for k in EMBEDDERS.values()),
    )  # fmt: skip
    g.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _filters(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("filters")
    g.add_argument(
        "--source", help="only documents whose path matches this glob, e.g. 'fact-sheets/*'"
    )
    g.add_argument(
        "--since", help="only documents dated on or after YYYY-MM-DD (front matter date)"
    )
    g.add_argument("--until", help="only documents dated on or before YYYY-MM-DD")
    g.add_argument("--tag", help="only documents with this tag (front matter tags)")


def _llm(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--llm", choices=list(BACKENDS),
        help="who writes the answer (default: the llm setting): "
        + "; ".join(b.help() for b in BACKENDS.values()),
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dossier",
        description="Ask questions of your documents and get answers that cite the exact passages.",
        epilog=EPILOG,
    )
    p.add_argument("--version", action="version", version=f"dossier {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("ingest", help="read files and folders into a collection",
                       description="Read files and folders (txt, md, html, pdf, docx) into a "
                       "collection. Unchanged files are skipped by content hash; changed ones "
                       "replaced.", epilog=EPILOG)  # fmt: skip
    s.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (read recursively)")
    s.add_argument("--prune", action="store_true",
                   help="remove documents under these folders whose files are gone")  # fmt: skip
    s.add_argument("--follow-links", action="store_true",
                   help="also follow symbolic links that lead outside the given folders "
                   "(by default they are reported and skipped)")  # fmt: skip
    _common(s)

    s = sub.add_parser("search", help="ranked passages for a query",
                       description="Hybrid search: dense (all-MiniLM-L6-v2) and BM25 rankings "
                       "fused by the [retrieval] fusion (z-scores by default).",
                       epilog=EPILOG)  # fmt: skip
    s.add_argument("query", metavar="QUERY", help="words or a question to search for")
    s.add_argument("-k", type=int, default=10, help="number of passages (default 10)")
    s.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid",
                   help="retriever: hybrid (default) fuses dense and BM25 rankings")  # fmt: skip
    _filters(s)
    _common(s)

    s = sub.add_parser("ask", help="answer a question with cited passages",
                       description="Answer from the best passages: quoted sentences, each with a "
                       "[n] marker pointing to its source and exact character span. If the "
                       "evidence is weak it says so and shows the nearest passages.",
                       epilog=EPILOG)  # fmt: skip
    s.add_argument("question", metavar="QUESTION", help="a question about the collection")
    s.add_argument("-k", type=int, help="passages to answer from (default: top_k setting, 6)")
    s.add_argument("--conversation", metavar="ID",
                   help="continue a saved conversation (follow-ups are rewritten into "
                   "standalone questions); without it a new conversation is saved")  # fmt: skip
    _llm(s)
    _filters(s)
    _common(s)

    s = sub.add_parser("chat", help="a conversation in the terminal",
                       description="Ask questions one after another; follow-ups are understood "
                       "in context. Commands: /sources, /new, /history, /export FILE, /quit.",
                       epilog=EPILOG)  # fmt: skip
    s.add_argument("--conversation", metavar="ID", help="resume a saved conversation")
    _llm(s)
    _common(s)

    s = sub.add_parser("conversations", help="list, show, rename, delete or export conversations")
    s.add_argument("action", nargs="?", choices=["list", "show", "rename", "delete", "export"],
                   help="what to do (default: list)")  # fmt: skip
    s.add_argument("id", nargs="?", metavar="ID", help="conversation id (or a unique prefix)")
    s.add_argument("title", nargs="?", metavar="TITLE", help="new title, for rename")
    s.add_argument("-o", "--output", metavar="FILE", help="export: write Markdown to FILE")
    s.add_argument("--all", action="store_true", help="list: every collection's conversations")
    _common(s)

    s = sub.add_parser("brief", help="a cited briefing on a topic (Markdown, HTML or DOCX)",
                       description="Retrieve broadly for a topic and write a briefing: executive "
                       "summary, findings by theme, timeline, where sources differ, gaps, and "
                       "sources with coverage. Every point cites an exact passage.",
                       epilog=EPILOG)  # fmt: skip
    s.add_argument("topic", metavar="TOPIC", help="what the briefing is about")
    s.add_argument("--format", choices=["md", "html", "docx"],
                   help="output format (default: from -o's extension, else md)")  # fmt: skip
    s.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    _llm(s)
    _filters(s)
    _common(s)

    s = sub.add_parser("status", help="collections, documents, chunks and where data lives")
    _common(s)

    s = sub.add_parser("check", help="do catalog, vectors and BM25 agree? (--repair fixes them)",
                       description="Compare the catalog (the source of truth) with the Chroma "
                       "vectors (one per chunk, each read back; a sample embedded again and "
                       "searched for) and the BM25 index. Exit 11 when they disagree.",
                       epilog=EPILOG)  # fmt: skip
    s.add_argument("--repair", action="store_true",
                   help="delete orphan vectors, embed missing or unreadable ones again, "
                   "rebuild BM25; then check again")  # fmt: skip
    _common(s)

    s = sub.add_parser("documents", help="list the documents of a collection")
    _common(s)

    s = sub.add_parser("remove", help="remove one document (by doc_id) from a collection")
    s.add_argument("doc_id", metavar="DOC_ID", help="as shown by 'dossier documents'")
    _common(s)

    s = sub.add_parser("drop", help="delete a whole collection and its vectors")
    s.add_argument("name", metavar="COLLECTION")
    s.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    s.add_argument("--foreign", action="store_true",
                   help="also when another home's catalog owns its Chroma collection (that "
                   "home is gone: its vectors are useless without its catalog)")  # fmt: skip
    _common(s)

    s = sub.add_parser("demo", help="ingest the bundled White House AI-policy corpus and ask it")
    s.add_argument("--question", help="question to ask (default: the first sample question)")
    s.add_argument("--no-answer", action="store_true", help="only ingest; ask nothing")
    _llm(s)
    _common(s)

    s = sub.add_parser("ui", help="the browser app: chat, library, briefings, evaluation, settings",
                       description="Serve the Dossier app (chat with clickable citations, "
                       "uploads, settings) on http://HOST:PORT/. It listens on 127.0.0.1 only "
                       "unless --host says otherwise; protect anything wider with --auth.",
                       epilog=EPILOG)  # fmt: skip
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    s.add_argument("--auth", metavar="USER:PASSWORD",
                   help="require this login (also: DOSSIER_AUTH=user:password); failed "
                   "logins are throttled per client")  # fmt: skip
    s.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="a host name users reach the app under (repeatable); requests "
                   "naming any other host are refused (default: the --host address, and "
                   "localhost or this machine's names)")  # fmt: skip
    s.add_argument("--allow-folder", action="append", default=[], type=Path, metavar="PATH",
                   help="a server folder the app may ingest from (repeatable; default: "
                   "only its own uploads)")  # fmt: skip
    s.add_argument("--concurrency", type=int, default=CONCURRENCY, metavar="N",
                   help=f"questions answered at once (default {CONCURRENCY}); ingests, "
                   "removals and evaluations run one at a time beside them")  # fmt: skip
    _common(s)

    s = sub.add_parser("config", help="show every setting, its value and what it does")
    _common(s)

    ev = sub.add_parser("eval", help="measure retrieval and answer quality offline")
    esub = ev.add_subparsers(dest="eval_command", metavar="WHAT", required=True)
    s = esub.add_parser("retrieval", help="nDCG, recall, MRR and latency on a BEIR data set",
                        description="Index a BEIR corpus into a cached throwaway collection and "
                        "score the hybrid, dense and BM25 retrievers on a split's queries.",
                        epilog=EPILOG)  # fmt: skip
    s.add_argument("--beir", required=True, metavar="DIR",
                   help="folder with corpus.jsonl, queries.jsonl and qrels/")  # fmt: skip
    s.add_argument("--split", default="test", help="qrels split (default: test)")
    s.add_argument("--limit", type=int, help="evaluate only the first N queries")
    s.add_argument("--modes", default="hybrid,dense,bm25", help="comma-separated retrievers")
    s.add_argument("-o", "--output", metavar="RUN.json",
                   help="write metrics and settings here, for 'dossier eval compare'")  # fmt: skip
    _common(s)
    s = esub.add_parser("answers", help="answer accuracy, groundedness and latency on a QA set",
                        description="Index a corpus (corpus.jsonl or a folder of documents) into "
                        "a cached collection, answer every question of a qa.jsonl file, and "
                        "score the answers without any model judge.", epilog=EPILOG)  # fmt: skip
    s.add_argument("--corpus", required=True, metavar="PATH",
                   help="corpus.jsonl (BEIR format) or a folder of documents")  # fmt: skip
    s.add_argument("--qa", required=True, metavar="FILE",
                   help='qa.jsonl lines: {"id", "question", "answers", "evidence"}')  # fmt: skip
    s.add_argument("--limit", type=int, help="only the first N questions")
    s.add_argument("-o", "--output", metavar="RUN.json",
                   help="write metrics, per-question results and settings here")  # fmt: skip
    _llm(s)
    _common(s)
    s = esub.add_parser("compare", help="compare run files: metrics, regressions, changed answers",
                        description="Compare runs of 'dossier eval answers -o' or 'dossier eval "
                        "retrieval -o'; the first is the baseline. Prints metrics × runs with "
                        "regressions marked '!', and can write one self-contained HTML report.",
                        epilog=EPILOG)  # fmt: skip
    s.add_argument("runs", nargs="+", metavar="RUN.json", help="run files, baseline first")
    s.add_argument("-o", "--output", metavar="REPORT.html", help="write an HTML report here")
    s.add_argument("--labels", metavar="A,B,...", help="comma-separated names for the runs")
    s.add_argument("--json", action="store_true", help="print machine-readable JSON")
    s = esub.add_parser("brief", help="fact recall, redundancy and coverage of a briefing",
                        description="Brief on a topic from the collection and score the "
                        "briefing without a model judge: a fact of the facts file (JSON lines "
                        "{\"id\", \"fact\", \"terms\", \"sources\"}) is stated when all its terms "
                        "(a term may be a list of alternatives) appear in one cited point. Also "
                        "redundancy, documents cited and points per theme.",
                        epilog=EPILOG)  # fmt: skip
    s.add_argument("--topic", required=True, help="what the briefing is about")
    s.add_argument("--facts", required=True, metavar="FACTS.jsonl",
                   help="the facts a good briefing on the topic states")  # fmt: skip
    s.add_argument("-o", "--output", metavar="RUN.json",
                   help="write metrics and per-fact results here, for "
                   "'dossier eval compare'")  # fmt: skip
    _llm(s)
    _common(s)
    s = esub.add_parser("generate", help="known-item questions from a collection",
                        description="Write a qa.jsonl of fill-in-the-blank and 'when' questions "
                        "made from sentences of the collection's own documents, for 'dossier "
                        "eval answers --corpus FOLDER'. They test finding and quoting a known "
                        "passage, not reasoning. With --llm the model writes each question "
                        "and short answer from a sampled passage; items whose answer is not in "
                        "the passage are dropped.", epilog=EPILOG)  # fmt: skip
    s.add_argument("-n", type=int, default=50, help="number of questions (default 50)")
    s.add_argument("-o", "--output", required=True, metavar="QA.jsonl", help="file to write")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _llm(s)
    _common(s)
    return p
