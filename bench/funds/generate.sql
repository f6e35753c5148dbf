-- Synthetic 自治金 for bench/funds/run.sh (SQLite): every community of
-- street 310105004 (17) gets a fund for 2016-2020 in four lines of
-- ¥100,000; 10,000 projects spread over the 340 lines, round by round
-- (every line's 2nd and 22nd still in review, its 1st, 11th and 21st being
-- carried out, the rest closed); 200,000 spending lines spread over the
-- approved ones; the running totals filled from
-- the detail, so the ledger reconciles.
BEGIN;
CREATE TEMP TABLE bench_years (y INTEGER);
INSERT INTO bench_years VALUES (2016), (2017), (2018), (2019), (2020);
INSERT INTO fund_budget (community, year, street_min_fen, change_pct, note, created_at, updated_at)
    SELECT d.code, y.y, 500000, 10, 'bench', 0, 0
    FROM division d, bench_years y WHERE d.parent_code = '310105004';
INSERT INTO fund_line (budget_id, community, year, position, name, budget_fen)
    SELECT b.id, b.community, b.year, p.pos, p.name, 10000000
    FROM fund_budget b,
         (SELECT 1 AS pos, '环境改善' AS name UNION ALL SELECT 2, '文体活动'
          UNION ALL SELECT 3, '为老服务' UNION ALL SELECT 4, '应急') p
    WHERE b.note = 'bench';
CREATE TEMP TABLE bench_lines AS
    SELECT row_number() OVER (ORDER BY l.id) - 1 AS k, l.id, l.budget_id, l.community, l.year
    FROM fund_line l JOIN fund_budget b ON b.id = l.budget_id WHERE b.note = 'bench';
CREATE TEMP TABLE bench_n AS
    WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 199999)
    SELECT i FROM c;
INSERT INTO fund_application (budget_id, line_id, community, year, applicant_id, title, purpose,
                              beneficiaries, starts_on, ends_on, total_fen, state, approved_fen,
                              created_at, updated_at)
    SELECT l.budget_id, l.id, l.community, l.year, (SELECT id FROM app_user WHERE username = 'staff'),
           'bench ' || n.i, '基准测试', '居民', l.year || '-03-01', l.year || '-11-30',
           20000 + (n.i % 50) * 1000,
           CASE WHEN n.i / 340 % 20 = 1 THEN 'review' WHEN n.i / 340 % 10 = 0 THEN 'approved'
                ELSE 'closed' END,
           CASE WHEN n.i / 340 % 20 = 1 THEN 0 ELSE 20000 + (n.i % 50) * 1000 END, 0, 0
    FROM bench_n n JOIN bench_lines l ON l.k = n.i % (SELECT count(*) FROM bench_lines)
    WHERE n.i < 10000;
INSERT INTO fund_item (application_id, position, name, unit, quantity, unit_fen, amount_fen)
    SELECT id, 1, '物资', '批', 1, total_fen, total_fen
    FROM fund_application WHERE title LIKE 'bench %';
CREATE TEMP TABLE bench_apps AS
    SELECT row_number() OVER (ORDER BY a.id) - 1 AS k, a.id, a.line_id, a.community, a.year,
           i.id AS item_id
    FROM fund_application a JOIN fund_item i ON i.application_id = a.id
    WHERE a.title LIKE 'bench %' AND a.state <> 'review';
INSERT INTO fund_spending (application_id, item_id, line_id, community, year, amount_fen, spent_on,
                           note, created_at)
    SELECT a.id, a.item_id, a.line_id, a.community, a.year, 500 + (n.i % 7) * 10,
           a.year || '-' || printf('%02d', 1 + n.i % 12) || '-15', '', 0
    FROM bench_n n JOIN bench_apps a ON a.k = n.i % (SELECT count(*) FROM bench_apps);
UPDATE fund_application SET spent_fen = coalesce((SELECT sum(s.amount_fen) FROM fund_spending s
                                                  WHERE s.application_id = fund_application.id), 0)
    WHERE title LIKE 'bench %';
UPDATE fund_application SET returned_fen = approved_fen - spent_fen
    WHERE title LIKE 'bench %' AND state = 'closed';
UPDATE fund_item SET spent_fen = (SELECT a.spent_fen FROM fund_application a
                                  WHERE a.id = fund_item.application_id)
    WHERE application_id IN (SELECT id FROM bench_apps);
UPDATE fund_line SET
    approved_fen = (SELECT coalesce(sum(a.approved_fen), 0) FROM fund_application a WHERE a.line_id = fund_line.id),
    spent_fen = (SELECT coalesce(sum(a.spent_fen), 0) FROM fund_application a WHERE a.line_id = fund_line.id),
    returned_fen = (SELECT coalesce(sum(a.returned_fen), 0) FROM fund_application a WHERE a.line_id = fund_line.id)
    WHERE id IN (SELECT id FROM bench_lines);
COMMIT;
ANALYZE;
