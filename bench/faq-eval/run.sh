#!/bin/sh
# Quality of the assistant's answers: Hit@1, Hit@3, MRR on answerable
# questions and accuracy on unanswerable ones, for `linli ask` and, in the
# same run, SQLite FTS5 (trigram tokenizer) and jieba + BM25 (python3-jieba)
# ranking the same entries, with a table by style where questions have one.
#
#   bench/faq-eval/run.sh [-v]          (after `make build`)
#
# Knowledge base: data/faq/kb.jsonl. Development questions: dev.jsonl from
# $FAQ_DIR, else ../shared/faq beside the clone (bench/faq-eval/faq_files.sh
# says where it looked when it finds none). Also scored: own.jsonl,
# own-hard.jsonl and own-colloquial.jsonl here, written from the
# sample knowledge base, before and while tuning (see bench/README.md).
set -eu
cd "$(dirname "$0")/../.."
BIN=${LINLI_BIN:-build/linli}
[ -x "$BIN" ] || { echo "no $BIN: run make build first" >&2; exit 1; }
. bench/faq-eval/faq_files.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN" kb import --db "$tmp/kb.db" "$KB"
files="$DEV bench/faq-eval/own.jsonl bench/faq-eval/own-hard.jsonl bench/faq-eval/own-colloquial.jsonl"
# shellcheck disable=SC2086
# Debian's python, which sees Debian's python3-jieba
"${PYTHON:-/usr/bin/python3}" bench/faq-eval/eval.py "$@" --linli "$BIN" --db "$tmp/kb.db" --kb "$KB" $files
