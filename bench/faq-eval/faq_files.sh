# Sourced by bench/faq-eval/run.sh and bench/assistant/run.sh (from the repo root).
#
# KB: the sample knowledge base, data/faq/kb.jsonl in the repository (or $FAQ_KB).
# DEV: the development questions, dev.jsonl, which are deliberately not in the
# repository: $FAQ_DIR/dev.jsonl, else shared/faq beside the clone (for a git
# worktree, beside the main clone too). Empty, with a warning, when not found.
KB=${FAQ_KB:-data/faq/kb.jsonl}
[ -f "$KB" ] || { echo "no knowledge base $KB" >&2; exit 1; }
DEV=""
_common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
_looked=""
for _d in ${FAQ_DIR:+"$FAQ_DIR"} ../shared/faq ${_common:+"$(dirname "$_common")/../shared/faq"}; do
    _looked="$_looked $_d"
    if [ -f "$_d/dev.jsonl" ]; then
        DEV="$_d/dev.jsonl"
        break
    fi
done
if [ -z "$DEV" ]; then
    echo "WARNING: dev.jsonl (the development questions) not found; looked in:$_looked" >&2
    echo "WARNING: set FAQ_DIR to the folder that holds it; scoring the own*.jsonl sets only" >&2
fi
