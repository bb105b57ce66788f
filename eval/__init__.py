"""Evaluation: loading BEIR and QA sets, and scoring retrieval and answers."""
