#!/bin/sh
# Quality of the assistant's answers: Hit@1, Hit@3, MRR on answerable
# questions and accuracy on unanswerable ones, for `linli ask` and, in the
# same run, SQLite FTS5 (trigram tokenizer) ranking the same entries.
#
#   bench/faq-eval/run.sh [-v]          (after `make build`)
#
# Knowledge base and development questions: $FAQ_DIR (default ../shared/faq
# beside the clone): kb.jsonl, dev.jsonl. Also scored: own.jsonl and
# own-hard.jsonl here, questions the assistant's engineer wrote from the
# sample knowledge base, before and while tuning (see bench/README.md).
set -eu
cd "$(dirname "$0")/../.."
BIN=${LINLI_BIN:-build/linli}
FAQ_DIR=${FAQ_DIR:-../shared/faq}
[ -x "$BIN" ] || { echo "no $BIN: run make build first" >&2; exit 1; }
[ -f "$FAQ_DIR/kb.jsonl" ] || { echo "no $FAQ_DIR/kb.jsonl (set FAQ_DIR)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN" kb import --db "$tmp/kb.db" "$FAQ_DIR/kb.jsonl"
files="$FAQ_DIR/dev.jsonl bench/faq-eval/own.jsonl bench/faq-eval/own-hard.jsonl"
[ -f "$FAQ_DIR/dev.jsonl" ] || files="bench/faq-eval/own.jsonl bench/faq-eval/own-hard.jsonl"
# shellcheck disable=SC2086
python3 bench/faq-eval/eval.py "$@" --linli "$BIN" --db "$tmp/kb.db" --kb "$FAQ_DIR/kb.jsonl" $files
