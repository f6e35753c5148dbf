#!/usr/bin/env python3
"""A synthetic knowledge base of N entries for benchmarks, from a sample one.

usage: gen_kb.py SAMPLE.jsonl N OUT.jsonl [SEED]

The sample's own entries come first, with their ids, so that questions about
them still have a right answer among N - len(sample) distractors. Each
synthetic entry (ids S000001...) is made of clauses of sample questions and
sentences of sample answers, drawn at random across sections: text with
the sample's vocabulary and lengths, and no meaning to match by accident.
"""
import json
import random
import re
import sys


def main():
    sample_path, n, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261123)
    sample = [json.loads(line) for line in open(sample_path, encoding="utf-8") if line.strip()]
    clauses = [c for e in sample for c in re.split(r"[，,？?。！!]", e["question"]) if len(c) >= 2]
    sentences = [s + "。" for e in sample for s in re.split(r"[。！!]", e["answer"]) if len(s) >= 4]
    sections = sorted({e["section"] for e in sample})
    with open(out_path, "w", encoding="utf-8") as f:
        for e in sample:
            f.write(json.dumps({k: e[k] for k in ("id", "section", "question", "answer")},
                               ensure_ascii=False) + "\n")
        for i in range(1, n - len(sample) + 1):
            q = "，".join(rng.sample(clauses, rng.randint(1, 3))) + "？"
            a = "".join(rng.sample(sentences, rng.randint(2, 5)))
            f.write(json.dumps({"id": "S%06d" % i, "section": rng.choice(sections),
                                "question": q, "answer": a}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
