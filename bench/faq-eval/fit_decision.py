"""Tries a calibrated decision to answer (issue 14): a logistic model over
what `linli ask --explain` reports of the best hits (score, lead over the
second, share of the question covered, share of the phrasing covered, the
second's BM25 over the first's, section agreement of the top three, length
of the question, BM25 of the first), fitted ONLY on questions generated from
the knowledge base itself: each entry's question with a third of its
characters dropped, a sentence of its answer, a stranger's background before
it, its keywords. Each generated question gives a positive (the hits as they
are: answer if the first is its entry) and a simulated unanswerable one (the
same hits without its entry). The development questions are only scored,
never fitted: the model's curve beside the single threshold on today's score.

  /usr/bin/python3 bench/faq-eval/fit_decision.py build/linli KB.db data/faq/kb.jsonl DEV.jsonl

KB.db: `linli kb import --db KB.db data/faq/kb.jsonl`. Needs python3-numpy.
"""
import json, random, subprocess, sys, math
import numpy as np
BIN, DB, KB, DEV = sys.argv[1:5]
random.seed(7)
kb = [json.loads(l) for l in open(KB) if l.strip()]
def ask(qs):
    out = subprocess.run([BIN, 'ask', '--db', DB, '--explain'], input='\n'.join(q.replace('\n', ' ') for q in qs) + '\n', capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines()]
def sents(t):
    import re
    return [s for s in re.split(r'[。！？；\n]', t) if len(s) >= 6]
FILL = ['你好，', '麻烦问一下，', '我想咨询个事，', '请问', '']
def gen(e):
    q = e['question']; out = []
    chars = list(q)
    keep = [c for c in chars if random.random() > 0.3]
    out.append(''.join(keep))
    ss = sents(e['answer'])
    if ss: out.append(random.choice(FILL) + random.choice(ss))
    other = random.choice(kb)['answer']
    os_ = sents(other)
    if os_: out.append(random.choice(os_)[:20] + '，' + q)  # background then the ask
    if e.get('keywords'): out.append(' '.join(str(e['keywords']).replace('，', ' ').split()[:3]))
    return out
def feats(hits, qlen):
    if not hits: return None
    h1 = hits[0]; h2 = hits[1] if len(hits) > 1 else None
    s1 = h1['score']; s2 = h2['score'] if h2 else 0
    b1 = h1['bm25']; b2 = h2['bm25'] if h2 else 0
    sec = sum(1 for h in hits[1:3] if h['section'] == h1['section'])
    return [s1, s1 - s2, h1['qc'], h1['dc'], b2 / b1 if b1 > 0 else 1, sec / 2, math.log(1 + qlen), math.log(1 + b1)]
X, Y = [], []
qs, src = [], []
for e in kb:
    for q in gen(e):
        if len(q) >= 2: qs.append(q); src.append(e['id'])
res = ask(qs)
for q, s, r in zip(qs, src, res):
    hits = r.get('hits', [])
    f = feats(hits, len(q))
    if f: X.append(f); Y.append(1 if hits[0]['id'] == s else 0)
    rest = [h for h in hits if h['id'] != s]
    f = feats(rest, len(q))
    if f: X.append(f); Y.append(0)
X = np.array(X); Y = np.array(Y)
mu = X.mean(0); sd = X.std(0) + 1e-9
Z = (X - mu) / sd
w = np.zeros(Z.shape[1]); b = 0.0
for it in range(3000):
    p = 1 / (1 + np.exp(-(Z @ w + b)))
    g = p - Y
    w -= 0.1 * (Z.T @ g / len(Y) + 0.001 * w); b -= 0.1 * g.mean()
print('synthetic n', len(Y), 'pos', Y.mean())
print('w', np.round(w / sd, 4).tolist(), 'b', round(b - (w / sd) @ mu, 4))
dev = [json.loads(l) for l in open(DEV) if l.strip()]
dres = ask([d['q'] for d in dev])
def evaluate(decide):
    ans_right = ans_wrong = n_ans = unans_ok = n_un = 0
    for d, r in zip(dev, dres):
        hits = r.get('hits', [])
        yes = decide(r, hits, len(d['q']))
        if d.get('id'):
            n_ans += 1
            if yes and hits[0]['id'] == d['id']: ans_right += 1
            elif yes: ans_wrong += 1
        else:
            n_un += 1
            if not yes: unans_ok += 1
    return ans_right / n_ans, ans_wrong / n_ans, unans_ok / n_un
print('current', [round(x, 3) for x in evaluate(lambda r, h, n: r['answered'])])
W = w / sd; B = b - W @ mu
for t in [0.3, 0.4, 0.5, 0.6, 0.7]:
    def dec(r, h, n, t=t):
        f = feats(h, n)
        return f is not None and 1 / (1 + math.exp(-(np.array(f) @ W + B))) >= t
    print('model t', t, [round(x, 3) for x in evaluate(dec)])
# synthetic calibration
p = 1 / (1 + np.exp(-(X @ W + B)))
for lo in np.arange(0, 1, 0.1):
    m = (p >= lo) & (p < lo + 0.1)
    if m.sum(): print(f'calib {lo:.1f}-{lo+0.1:.1f} n={m.sum()} observed={Y[m].mean():.2f}')
print('--- curves')
for t in [0.05, 0.1, 0.15, 0.2, 0.25]:
    def dec(r, h, n, t=t):
        f = feats(h, n)
        return f is not None and 1 / (1 + math.exp(-(np.array(f) @ W + B))) >= t
    print('model t', t, [round(x, 3) for x in evaluate(dec)])
for t in [0.2, 0.25, 0.3, 0.35, 0.4]:
    print('score t', t, [round(x, 3) for x in evaluate(lambda r, h, n, t=t: r['score'] >= t)])
# oracle: how many dev unanswerable have which top score
