"""The word lists behind answer spans: name connectors, sentence-opening common words, the
last words of names that are bodies or places, and the stop words of noun phrases."""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """A frozen set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


# "and" is no connector: "Powys and Gwynedd" are two names
CONNECTORS = word_set("of de da di del della du des von van der den le la al bin ibn y &")
# capitalised only because they open a sentence or a title: never a name on their own
COMMON = word_set(
    """the a an this that these those it its he she they his her their we our i in on at of
    for by from to with after before during when while as since but and or if although
    however there here what which who where how many some most all both each one other such
    later early many several its according also another following born during like unlike
    despite because though whereas thus hence today currently sr jr"""
)
# the last word of a name that is a body or a work: names no one, and no place
BODIES = word_set(
    """university college school academy institute company corporation inc ltd group records
    party award awards prize cup league championship championships festival museum council
    committee association society club team band orchestra network channel magazine
    newspaper times news film series show album game games war revolution"""
)
# the last word of a name that is a place, a body or an event, not a person
INSTITUTION_HEADS = BODIES | word_set(
    """states kingdom republic union city county island islands river ocean sea mountains
    street park church cathedral hall station airport district province state road lake
    valley army navy"""
)
# the last word of a name that is a body or a work, not a place (a place question's
# "what city" is not answered by "Australian National University" in Canberra)
BODY_HEADS = BODIES | word_set("brands foundation")
NOUN_STOP = word_set(
    """a an the and or but of in on at to for from by with as is are was were be been being
    has have had do does did this that these those it its he she they his her their him them
    which who whom whose what when where why how not no also such than then there here into
    over under about after before during between through while since until so very more most
    many much some any each other one first last only same own both all can could will would
    shall should may might must said says including known called named"""
)
