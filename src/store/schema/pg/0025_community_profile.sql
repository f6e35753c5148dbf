-- PostgreSQL twin of src/store/schema/0025_community_profile.sql (the same tables and behaviour in
-- PostgreSQL's types; see docs/POSTGRESQL.md).
-- linli schema 25: each community's own profile (社区信息): the office phone,
-- opening hours and address of the 居委会, its 党群服务站, and the duty phone at
-- night. Staff keep it; residents see it on the H5 (the 呼叫居委会 tile dials
-- office_phone) and the assistant answers questions about the community from
-- it. These are public numbers of an office, not personal data: kept as text.

CREATE TABLE community_profile (
    community     TEXT PRIMARY KEY REFERENCES division(code),
    office_phone  TEXT NOT NULL,
    office_hours  TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    station       TEXT NOT NULL DEFAULT '',   -- 党群服务站 / 服务站: name and where
    duty_phone    TEXT NOT NULL DEFAULT '',   -- at night and on holidays; '' none
    updated_by    BIGINT REFERENCES app_user(id) ON DELETE SET NULL,
    updated_at    BIGINT NOT NULL,
    CHECK (length(community) = 12)
);

-- The assistant's entries about the asker's own community and linli's own
-- pages (src/assistant/assistant_site.c): for everyone, ids "S-<key>". An
-- answer's {fields} are filled from the asker's community profile; a
-- [bracketed part] is left out when a field in it is empty. Admins may
-- reword them in 知识库 like any other entry.
INSERT INTO kb_entry (id, section, question, answer, alternatives, keywords, scope, created_at, updated_at) VALUES
    ('S-phone', '便民服务', '居委会的电话是多少？',
     '{name}办公电话：{office_phone}[（办公时间：{office_hours}）][；夜间和节假日请打值班电话 {duty_phone}]。',
     '["怎么联系居委会","居委会联系方式","社区办公电话是多少","找居委会打什么号码"]',
     '电话 号码 联系方式 居委会', '', 0, 0),
    ('S-hours', '便民服务', '居委会的办公时间是什么时候？',
     '{name}办公时间：{office_hours}。电话 {office_phone}[；夜间和节假日请打值班电话 {duty_phone}]。',
     '["居委会几点上班","居委会什么时候开门","居委会中午有人吗"]',
     '办公时间 开门', '', 0, 0),
    ('S-address', '便民服务', '居委会在什么地方？',
     '{name}在{address}[（办公时间：{office_hours}）]。来之前可以先打电话 {office_phone}。',
     '["居委会在哪","社区居委会怎么走","居委会的办公地点","去哪里找居委会办事"]',
     '地址 在哪 怎么走 办公地点', '', 0, 0),
    ('S-station', '便民服务', '社区的党群服务站在哪里？',
     '{station}。有事也可以打{name}的电话 {office_phone}。',
     '["党群服务站在哪","社区服务站怎么走","社区党群服务中心在哪里"]',
     '党群服务站 党群服务中心 服务站', '', 0, 0),
    ('S-duty', '便民服务', '晚上和节假日有急事找谁？',
     '{name}的值班电话：{duty_phone}（夜间和节假日）。遇到火情、急病等紧急情况请直接拨打 119、120 或 110。',
     '["晚上有急事找谁","节假日找居委会打什么电话","半夜联系社区","居委会下班了有急事怎么办"]',
     '值班 值班电话 夜间 半夜 节假日', '', 0, 0),
    ('S-rooms', '便民服务', '社区活动室怎么预约？',
     '在“活动室预约”页面选好房间、日期和时间就能预约；有的房间要居委会审核，审核结果会发到“消息”里。到了房间门口，扫门上的二维码也能直接预约和签到。',
     '["怎么借用社区的功能室","想订社区的会议室开会","社区场地怎么借","扫码预约活动室"]',
     '活动室 功能室 会议室 场地 预约 借用', '', 0, 0),
    ('S-report', '便民服务', '发现问题怎么向社区反映（报事）？',
     '在“我要报事”页面说明是什么事、在哪里，可以拍照，提交后居委会会派给负责的单位处理，处理进度和结果都会通知您，办完后请您评价。',
     '["发现安全隐患怎么上报","小区的问题向谁反映","随手拍怎么上报","怎么报事"]',
     '报事 反映 上报 随手拍 隐患', '', 0, 0),
    ('S-cases', '便民服务', '我反映的问题办得怎么样了？',
     '在“我的报事”里能看到每件事办到了哪一步、谁在办、什么时候办完；超过时限还没办好，可以在那里催办（每天一次）或补充情况。',
     '["怎么查报事的进度","上次反映的事有结果了吗","我报的事怎么催办","我反映的问题处理了没有"]',
     '报事进度 催办 我的报事', '', 0, 0),
    ('S-bookings', '便民服务', '我预约的活动室在哪里看，怎么取消？',
     '在“我的预约”里能看到每次预约和审核结果，不去了请在那里取消，把时间让给别人。',
     '["取消活动室预约","查看我的预约","活动室预约审核通过了吗"]',
     '我的预约 取消预约', '', 0, 0),
    ('S-announcements', '便民服务', '社区最近有什么通知？',
     '社区的通知公告都在“社区通知”里，新的通知也会出现在首页。',
     '["在哪里看社区公告","居委会发的通知在哪看"]',
     '通知 公告', '', 0, 0);
UPDATE kb_state SET version = version + 1 WHERE id = 1;
