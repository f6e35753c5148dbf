#!/bin/sh
# Speed of the assistant: index build time and latency of one question
# (p50/p99, the whole `linli ask` path: version check, folding, terms,
# search) with the sample knowledge base and with a synthetic one of
# $N entries (default 100000), plus the quality of the answers at that size.
#
#   bench/assistant/run.sh              (after `make build`)
set -eu
cd "$(dirname "$0")/../.."
BIN=${LINLI_BIN:-build/linli}
N=${N:-100000}
ROUNDS=${ROUNDS:-5}
[ -x "$BIN" ] || { echo "no $BIN: run make build first" >&2; exit 1; }
. bench/faq-eval/faq_files.sh   # KB, DEV
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the questions: every question of the eval sets, $ROUNDS times over
sets="$DEV bench/faq-eval/own.jsonl bench/faq-eval/own-hard.jsonl"
# shellcheck disable=SC2086
python3 -c 'import json,sys
qs=[json.loads(l)["q"] for f in sys.argv[2:] for l in open(f, encoding="utf-8") if l.strip()]
print("\n".join(qs * int(sys.argv[1])))' "$ROUNDS" $sets > "$tmp/questions.txt"
echo "$(wc -l < "$tmp/questions.txt") questions ($ROUNDS rounds), $(nproc) CPUs, $(uname -m)"

bench() {  # name kb.jsonl
    db="$tmp/$1.db"
    t0=$(date +%s.%N)
    "$BIN" kb import --db "$db" "$2" > /dev/null
    t1=$(date +%s.%N)
    echo "== $1: $(wc -l < "$2") entries, import $(echo "$t1 - $t0" | bc) s"
    "$BIN" ask --db "$db" --stats < "$tmp/questions.txt" 2>&1 > /dev/null | sed 's/^/   /'
}

bench sample "$KB"
python3 bench/assistant/gen_kb.py "$KB" "$N" "$tmp/synthetic.jsonl"
bench "synthetic-$N" "$tmp/synthetic.jsonl"
echo "== quality with $N entries (the sample's among synthetic distractors)"
# shellcheck disable=SC2086
python3 bench/faq-eval/eval.py --linli "$BIN" --db "$tmp/synthetic-$N.db" --kb "$KB" $sets | grep -v fts5
