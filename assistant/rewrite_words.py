"""The word lists behind follow-up rewriting (``assistant.rewrite``): what points back to an
earlier turn, what joins or ends a noun phrase, and the stop words of a question."""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """A frozen set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


PERSONAL = word_set("it they them he she him")
POSSESSIVE = word_set("its their his her")
DEICTIC = word_set("that this these those there then")
CONNECTORS = word_set("of on for in")
DETERMINERS = word_set("the a an")
BE = word_set("is are was were")
AUX = word_set("do does did must can could should will would may might shall")  # + bare verb
TIME_WORDS = word_set("year week month time morning afternoon decade century")
CLAUSE_JOIN = word_set("and but or , ;")
CLAUSE_START = word_set(
    "what when where who whom whose which why how is are was were do does did has have had can "
    "could will would should may might must"
)  # after a join: a second question begins
STOP = word_set(
    """what when where why how who whom whose which is are was were be been being am do does did
    done doing has have had having will would shall should can could may might must i me my we
    us our you your it its they them their theirs he him his she her hers this that these those
    there then here the a an any some each every all both no not such other another more most
    less much many few own same of on in for to from by with about regarding under over into at
    as than and or but nor so if also too very just only else again still yet ever exactly really
    please between after before during since until against across through within without per
    plus ok okay thanks yes tell give show get got make made know think like thing things
    anything something example examples detail details"""
)
# Verbs that end a noun phrase ("…the AI executive order | direct | agencies…"). Words that are
# often nouns in policy text (order, issue, release, fund, plan, state, ban) are left out.
VERBS = word_set(
    """require direct establish announce create include cover apply affect define propose invest
    ask mandate instruct say said mean happen take make introduce launch expand protect
    prohibit allow implement enforce recommend impose replace revoke rescind discuss describe
    explain provide outline aim want respond approve adopt help ensure compare summarize list
    need pass commit"""
)
