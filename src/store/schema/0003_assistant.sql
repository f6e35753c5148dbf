-- linli schema 3: the assistant (万象生活助手): knowledge base, synonyms, questions asked.
-- Times are Unix milliseconds (INTEGER); dates are 'YYYY-MM-DD' (TEXT).

CREATE TABLE kb_entry (
    id           TEXT PRIMARY KEY,              -- "K001": kept from the imported file
    section      TEXT NOT NULL,                 -- 社区党建, 便民服务, ...
    question     TEXT NOT NULL,
    answer       TEXT NOT NULL,
    alternatives TEXT NOT NULL DEFAULT '[]',    -- JSON array of other phrasings
    keywords     TEXT NOT NULL DEFAULT '',      -- words separated by spaces or commas
    valid_until  TEXT,                          -- last day the answer holds; NULL: no end
    scope        TEXT NOT NULL DEFAULT '',      -- '' everyone, a 9-digit street or 12-digit community
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX kb_entry_section ON kb_entry(section, id);
CREATE INDEX kb_entry_scope ON kb_entry(scope);

-- General vocabulary that staff keep: a variant and what it means ("医疗保险" -> "医保").
CREATE TABLE kb_synonym (
    id          INTEGER PRIMARY KEY,
    term        TEXT NOT NULL UNIQUE,
    canonical   TEXT NOT NULL CHECK (canonical <> term),
    created_at  INTEGER NOT NULL
);

-- Bumped in the same transaction as every change to kb_entry or kb_synonym, so each
-- linli process knows when to rebuild its index.
CREATE TABLE kb_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO kb_state (id, version) VALUES (1, 1);

CREATE TABLE assistant_question (
    id          INTEGER PRIMARY KEY,
    asked       TEXT NOT NULL,                  -- as typed (trimmed)
    answered    INTEGER NOT NULL CHECK (answered IN (0, 1)),
    entry_id    TEXT,                           -- the entry given, or the best guess; no FK: entries go
    score       REAL NOT NULL,
    helpful     INTEGER CHECK (helpful IN (0, 1)), -- NULL until the resident says
    user_id     INTEGER REFERENCES app_user(id) ON DELETE SET NULL,
    community   TEXT NOT NULL DEFAULT '',       -- the asker's community ('' for admins)
    created_at  INTEGER NOT NULL
);
CREATE INDEX assistant_question_community ON assistant_question(community, created_at);

-- General vocabulary, not tied to any question: abbreviations and their full forms,
-- old and new names, common colloquial words.
INSERT INTO kb_synonym (term, canonical, created_at) VALUES
    ('医疗保险', '医保', 0),
    ('基本医疗保险', '医保', 0),
    ('社会保险', '社保', 0),
    ('退休金', '养老金', 0),
    ('退休工资', '养老金', 0),
    ('居民身份证', '身份证', 0),
    ('身分证', '身份证', 0),
    ('最低生活保障', '低保', 0),
    ('户籍', '户口', 0),
    ('失业保险金', '失业金', 0),
    ('长期护理保险', '长护险', 0),
    ('住房公积金', '公积金', 0),
    ('养老保险金', '养老金', 0),
    ('电瓶车', '电动自行车', 0),
    ('电驴', '电动自行车', 0),
    ('电动车', '电动自行车', 0),
    ('煤气', '燃气', 0),
    ('天然气', '燃气', 0),
    ('小孩', '孩子', 0),
    ('小孩子', '孩子', 0),
    ('娃', '孩子', 0),
    ('宝宝', '孩子', 0),
    ('儿童', '孩子', 0),
    ('老爸', '父亲', 0),
    ('老妈', '母亲', 0),
    ('爸爸', '父亲', 0),
    ('妈妈', '母亲', 0),
    ('老伴', '配偶', 0),
    ('礼拜', '星期', 0),
    ('咋', '怎么', 0),
    ('咋样', '怎么样', 0),
    ('啥', '什么', 0),
    ('多少钱', '费用', 0),
    ('手机号码', '手机号', 0),
    ('电话号码', '电话', 0),
    ('物业公司', '物业', 0),
    ('业主委员会', '业委会', 0),
    ('卫生服务中心', '社区医院', 0),
    ('社区卫生服务中心', '社区医院', 0),
    ('上户口', '落户', 0),
    ('报户口', '落户', 0);
