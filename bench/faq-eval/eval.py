#!/usr/bin/env python3
"""Scores `linli ask` and two peers, SQLite FTS5 with the trigram tokenizer and
jieba's words ranked by BM25, on questions with known answers.

usage: eval.py --linli BIN --db DB --kb KB.jsonl [-v] QUESTIONS.jsonl...

QUESTIONS.jsonl: {"q": "...", "id": "K001"} per line; "id" may be null (the
knowledge base cannot answer: the right reply is "I don't know") or a list
of ids that are all right (the knowledge base holds near-duplicates).

Figures, per file and for each system:
  Hit@1, Hit@3, MRR   over answerable questions, on the ranking whatever the
                      threshold (MRR counts ranks 1..3, else 0)
  answered@1          answerable questions answered, and with the right entry
  answered wrong      answerable questions answered with a wrong entry
  unanswerable        share of unanswerable questions left unanswered
  suggested right     (linli) of the answerable questions it did not answer, the
                      share whose right entry is among the three it offers
                      ("您是不是想问"); then answered right or so suggested, of all
                      answerable questions

The first peer ranks the same entries (question and answer columns, weighted
2:1) by FTS5's bm25 over an OR of the question's trigrams. The second cuts
entries and question into words with jieba (Debian's python3-jieba, search
mode) and ranks by FTS5's bm25 over question and answer (1:1) for an OR of
the question's words. Neither has a notion of "I don't know", so each is given
one two ways: "none" answers whenever anything matches; "oracle" uses the bm25
cut-off that is best on this very file in hindsight, a generous upper bound.

Where the questions carry a "style" (colloquial, keywords, story, typo,
indirect; hard_negative, uncovered, out_of_domain, chitchat), a second table
gives, per style, each system's Hit@1 and answered-right (answerable styles)
or share refused (unanswerable ones).
"""
import argparse
import json
import sqlite3
import subprocess
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def gold_set(item):
    g = item["id"]
    if g is None:
        return None
    return set(g) if isinstance(g, list) else {g}


def ask_linli(binary, db, questions):
    text = "".join(q["q"].replace("\n", " ") + "\n" for q in questions)
    out = subprocess.run([binary, "ask", "--db", db], input=text, capture_output=True,
                         text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(questions), "linli ask: one line out per line in"
    return [(r["top"], r["answered"], r["entry_id"], r["score"]) for r in rows]


def fts5_db(kb):
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE kb USING fts5(id UNINDEXED, question, answer,"
                " tokenize='trigram')")
    con.executemany("INSERT INTO kb VALUES (?, ?, ?)",
                    [(e["id"], e["question"], e["answer"]) for e in kb])
    return con


def ask_fts5(con, questions):
    rows = []
    for q in questions:
        text = "".join(ch for ch in q["q"] if ch.isalnum())
        grams = sorted({text[i:i + 3] for i in range(len(text) - 2)})
        if not grams:
            rows.append(([], None))
            continue
        match = " OR ".join('"%s"' % g.replace('"', '""') for g in grams)
        res = con.execute("SELECT id, bm25(kb, 0.0, 2.0, 1.0) AS s FROM kb WHERE kb MATCH ?"
                          " ORDER BY s LIMIT 3", (match,)).fetchall()
        rows.append(([r[0] for r in res], -res[0][1] if res else None))
    return rows


def words(text):
    import jieba
    return [w for w in jieba.cut_for_search(text) if any(ch.isalnum() for ch in w)]


def jieba_db(kb):
    import jieba
    jieba.setLogLevel(60)
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE kb USING fts5(id UNINDEXED, question, answer,"
                " tokenize='unicode61')")
    con.executemany("INSERT INTO kb VALUES (?, ?, ?)",
                    [(e["id"], " ".join(words(e["question"] + " " + " ".join(e.get("alternatives") or []))),
                      " ".join(words(e["answer"]))) for e in kb])
    return con


def ask_jieba(con, questions):
    rows = []
    for q in questions:
        ws = sorted(set(words(q["q"])))
        if not ws:
            rows.append(([], None))
            continue
        match = " OR ".join('"%s"' % w.replace('"', '""') for w in ws)
        res = con.execute("SELECT id, bm25(kb, 0.0, 1.0, 1.0) AS s FROM kb WHERE kb MATCH ?"
                          " ORDER BY s LIMIT 3", (match,)).fetchall()
        rows.append(([r[0] for r in res], -res[0][1] if res else None))
    return rows


def by_style(questions, systems):
    """systems: [(name, tops, answered_ids)] -> lines of a per-style table."""
    styles = sorted({q.get("style") for q in questions if q.get("style")})
    if not styles:
        return []
    out = ["by style (answerable: Hit@1 / answered right; unanswerable: refused)",
           "%-14s %4s  " % ("style", "n") + "  ".join("%-17s" % name for name, _, _ in systems)]
    for st in styles:
        idx = [i for i, q in enumerate(questions) if q.get("style") == st]
        cells = []
        for _, tops, given in systems:
            m = metrics([questions[i] for i in idx], [tops[i] for i in idx], [given[i] for i in idx])
            cells.append("%5.2f / %5.2f    " % (m["hit1"], m["answered_right"]) if m["answerable"]
                         else "%5.2f            " % m["unans_acc"])
        out.append("%-14s %4d  " % (st, len(idx)) + "  ".join(cells))
    return out


def metrics(questions, tops, answered_ids):
    """answered_ids[i]: the id the system answers with, or None."""
    hit1 = hit3 = rr = right_answer = wrong_answer = n_ans = n_unans = unans_ok = 0
    n_held = held_in_top3 = 0
    for q, top, given in zip(questions, tops, answered_ids):
        gold = gold_set(q)
        if gold is None:
            n_unans += 1
            unans_ok += given is None
            continue
        n_ans += 1
        ranks = [i for i, t in enumerate(top[:3]) if t in gold]
        if ranks:
            hit1 += ranks[0] == 0
            hit3 += 1
            rr += 1.0 / (ranks[0] + 1)
        right_answer += given is not None and given in gold
        wrong_answer += given is not None and given not in gold
        if given is None:
            n_held += 1
            held_in_top3 += bool(ranks)
    return {
        "answerable": n_ans,
        "hit1": hit1 / n_ans if n_ans else 0,
        "hit3": hit3 / n_ans if n_ans else 0,
        "mrr": rr / n_ans if n_ans else 0,
        "answered_right": right_answer / n_ans if n_ans else 0,
        "answered_wrong": wrong_answer / n_ans if n_ans else 0,
        "suggested_right": held_in_top3 / n_held if n_held else float("nan"),
        "right_or_suggested": (right_answer + held_in_top3) / n_ans if n_ans else 0,
        "unanswerable": n_unans,
        "unans_acc": unans_ok / n_unans if n_unans else float("nan"),
    }


def oracle_cutoff(questions, rows):
    """The bm25 cut-off that maximises right answers plus right refusals."""
    best = (-1, None)
    cuts = sorted({s for _, s in rows if s is not None}) + [float("inf")]
    for cut in [0.0] + cuts:
        score = 0
        for q, (top, s) in zip(questions, rows):
            given = top[0] if s is not None and s >= cut else None
            gold = gold_set(q)
            score += (given is None) if gold is None else (given in gold)
        if score > best[0]:
            best = (score, cut)
    return best[1]


def line(name, m, suggests=False):
    return ("%-22s %5.2f %5.2f %5.2f   %5.2f       %5.2f        %s   %s" %
            (name, m["hit1"], m["hit3"], m["mrr"], m["answered_right"], m["answered_wrong"],
             "%5.2f (%d)" % (m["unans_acc"], m["unanswerable"]) if m["unanswerable"] else "  -     ",
             "%5.2f / %5.2f" % (m["suggested_right"], m["right_or_suggested"]) if suggests else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--linli", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--kb", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    kb = load(args.kb)
    questions_of = {e["id"]: e["question"] for e in kb}
    con = fts5_db(kb)
    jcon = jieba_db(kb)
    for path in args.files:
        qs = load(path)
        lin = ask_linli(args.linli, args.db, qs)
        fts = ask_fts5(con, qs)
        jb = ask_jieba(jcon, qs)
        cut = oracle_cutoff(qs, fts)
        jcut = oracle_cutoff(qs, jb)
        m_lin = metrics(qs, [r[0] for r in lin], [r[2] for r in lin])
        m_none = metrics(qs, [r[0] for r in fts], [r[0][0] if r[0] else None for r in fts])
        m_orc = metrics(qs, [r[0] for r in fts],
                        [r[0][0] if r[1] is not None and r[1] >= cut else None for r in fts])
        j_none = [r[0][0] if r[0] else None for r in jb]
        j_orc = [r[0][0] if r[1] is not None and r[1] >= jcut else None for r in jb]
        n_ans = m_lin["answerable"]
        print("%s: %d questions, %d answerable, %d not" % (path, len(qs), n_ans, len(qs) - n_ans))
        print("%-22s %5s %5s %5s   %-11s %-12s %-16s %s" % (
            "", "Hit@1", "Hit@3", "MRR", "answered ok", "answered wrong", "unanswerable acc",
            "suggested right / answered or suggested right"))
        print(line("linli", m_lin, suggests=True))
        print(line("fts5 trigram (none)", m_none))
        print(line("fts5 trigram (oracle)", m_orc))
        print(line("jieba+bm25 (none)", metrics(qs, [r[0] for r in jb], j_none)))
        print(line("jieba+bm25 (oracle)", metrics(qs, [r[0] for r in jb], j_orc)))
        for text in by_style(qs, [("linli", [r[0] for r in lin], [r[2] for r in lin]),
                                  ("jieba+bm25 oracle", [r[0] for r in jb], j_orc),
                                  ("fts5 oracle", [r[0] for r in fts],
                                   [r[0][0] if r[1] is not None and r[1] >= cut else None
                                    for r in fts])]):
            print(text)
        if args.verbose:
            for q, (top, answered, eid, score) in zip(qs, lin):
                gold = gold_set(q)
                ok = (eid is None) if gold is None else (top[:1] and top[0] in gold)
                mark = "ok " if ok and (gold is None or answered) else ("~  " if ok else "XX ")
                print("  %s%.3f %-5s %-18s gold=%-12s %s" % (
                    mark, score, "ans" if answered else "-", ",".join(top),
                    "/".join(sorted(gold)) if gold else "none", q["q"]))
                if not ok and top:
                    print("        got: %s" % questions_of.get(top[0], "?"))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
