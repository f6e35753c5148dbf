/*
 * A vote's count and its check. The count is made from the roll fixed when
 * the vote opened and each voter's counted choice, by the same code as
 * `linli votes tally` (votes_tally.c). The check (`linli votes verify`)
 * replays the ballots' hash chain, finds each voter's last ballot there,
 * and recounts from that, never from the tables the count was kept in.
 */
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/strbuf.h"
#include "votes/votes_store.h"
#include "core/banned.h"

void votes_chain_hash(Arena *a, int64_t vote_id, int64_t seq, const char *voter,
                      const char *choice, const char *channel, int64_t cast_at_ms,
                      const char *receipt, const char *prev, char out[65])
{
    const char *text = arena_sprintf(a, "%s\n%lld|%lld|%s|%s|%s|%lld|%s", prev ? prev : "",
                                     (long long)vote_id, (long long)seq, voter, choice, channel,
                                     (long long)cast_at_ms, receipt);

    crypto_sha256_hex(text, strlen(text), out);
}

typedef struct Pick {
    const char *voter;
    const char *choice;
} Pick;

static int cmp_pick(const void *x, const void *y)
{
    return strcmp(((const Pick *)x)->voter, ((const Pick *)y)->voter);
}

typedef struct SeqPick {
    const char *voter;
    const char *choice;
    int64_t seq;
} SeqPick;

static int cmp_seq_pick(const void *x, const void *y)
{
    const SeqPick *p = x, *q = y;
    int c = strcmp(p->voter, q->voter);

    return c ? c : (p->seq > q->seq) - (p->seq < q->seq);
}

static const char *choice_of(const Pick *picks, size_t n, const char *voter)
{
    Pick key = { voter, NULL };
    const Pick *p = bsearch(&key, picks, n, sizeof(*picks), cmp_pick);

    return p ? p->choice : NULL;
}

static VotesChoice choice_value(const char *c)
{
    if (!c)
        return VOTES_NONE;
    if (strcmp(c, "yes") == 0)
        return VOTES_YES;
    if (strcmp(c, "no") == 0)
        return VOTES_NO;
    return VOTES_ABSTAIN;
}

/* The lift's occupied units' owners and how many of them consent. */
static Error *lift_consent(Store *st, Arena *a, const Vote *v, const VotesRollRow *roll,
                           size_t n_roll, const Pick *picks, size_t n_picks, bool *ret_wanted,
                           int64_t *ret_yes, int64_t *ret_of)
{
    VotesLift *l = NULL;
    json_t *settings, *affected, *x;
    size_t i;
    Error *err;

    *ret_wanted = false;
    *ret_yes = *ret_of = 0;
    if (!v->lift_id)
        return NULL;
    err = votes_store_lift_get(st, a, v->lift_id, &l);
    if (err || !l)
        return err;
    settings = json_loads(l->settings, 0, NULL);
    *ret_wanted = settings && json_is_true(json_object_get(settings, "occupied_consent"));
    json_decref(settings);
    if (!*ret_wanted)
        return NULL;
    affected = json_loads(l->affected, 0, NULL);
    /* each affected unit's owner once, however many of her units the lift touches */
    {
        const char **seen = arena_zalloc(a, (n_roll + 1) * sizeof(*seen));
        size_t n_seen = 0;

        json_array_foreach(affected, i, x) {
            for (size_t k = 0; k < n_roll; k++) {
                bool dup = false;

                if (roll[k].household_id != json_integer_value(x))
                    continue;
                for (size_t j = 0; j < n_seen; j++)
                    dup = dup || strcmp(seen[j], roll[k].voter) == 0;
                if (dup)
                    continue;
                seen[n_seen++] = roll[k].voter;
                (*ret_of)++;
                *ret_yes += choice_value(choice_of(picks, n_picks, roll[k].voter)) == VOTES_YES;
            }
        }
    }
    json_decref(affected);
    return NULL;
}

Error *votes_count(Store *st, Arena *a, const Vote *v, const char **voters, const char **choices,
                   size_t n, json_t **ret)
{
    Pick *picks = arena_alloc(a, (n + 1) * sizeof(*picks));
    VotesTally t;
    Error *err;

    for (size_t i = 0; i < n; i++) {
        picks[i].voter = voters[i];
        picks[i].choice = choices[i];
    }
    qsort(picks, n, sizeof(*picks), cmp_pick);

    if (strcmp(v->kind, "poll") == 0) {
        int64_t c[3] = { 0, 0, 0 };

        for (size_t i = 0; i < n; i++)
            c[choice_value(picks[i].choice) - VOTES_YES]++;
        votes_poll_tally(v->voters_total, c[0], c[1], c[2], &v->rule, &t);
    } else {
        VotesRollRow *roll;
        size_t n_roll, n_ballots = 0;
        VotesInput in;
        bool wanted;
        int64_t yes, of;

        err = votes_store_roll(st, a, v->id, &roll, &n_roll);
        if (err)
            return err;
        memset(&in, 0, sizeof(in));
        in.matter = strcmp(v->matter, "special") == 0 ? VOTES_SPECIAL : VOTES_ORDINARY;
        in.rule = v->rule;
        in.n_units = n_roll;
        in.units = arena_zalloc(a, (n_roll + 1) * sizeof(*in.units));
        in.ballots = arena_zalloc(a, (n_roll + 1) * sizeof(*in.ballots));
        for (size_t k = 0; k < n_roll; k++) {
            VotesChoice c = choice_value(choice_of(picks, n, roll[k].voter));

            in.units[k].id = arena_sprintf(a, "%lld", (long long)roll[k].household_id);
            in.units[k].area_cm2 = roll[k].area_cm2;
            in.units[k].unsold = roll[k].unsold;
            in.units[k].owner = roll[k].unsold ? NULL : roll[k].voter;
            /* an owner's one choice goes with each of her units in scope */
            if (c != VOTES_NONE) {
                in.ballots[n_ballots].unit = in.units[k].id;
                in.ballots[n_ballots].choice = c;
                n_ballots++;
            }
        }
        in.n_ballots = n_ballots;
        err = votes_tally(a, &in, &t);
        if (!err)
            err = lift_consent(st, a, v, roll, n_roll, picks, n, &wanted, &yes, &of);
        if (err)
            return err;
        if (wanted)
            votes_tally_require(&t, "occupied_consent", "占用专有部分的业主同意", yes, of, 1, 1);
    }
    *ret = votes_tally_json(a, &t);
    return NULL;
}

static void problem(json_t *problems, Arena *a, const char *fmt, const char *detail)
{
    json_array_append_new(problems, json_string(arena_sprintf(a, fmt, detail)));
}

Error *votes_verify(Store *st, Arena *a, int64_t id, json_t **ret)
{
    VotesBallotRow *b;
    Vote *v = NULL;
    const char **cur_voters, **cur_choices, **last_voters, **last_choices;
    size_t n, n_cur, n_last = 0;
    Pick *last;
    const char *prev = "";
    json_t *problems, *report;
    bool result_matches = true;
    Error *err;

    *ret = NULL;
    err = votes_store_get(st, a, id, &v);
    if (err || !v)
        return err;
    err = votes_store_ballots(st, a, id, &b, &n);
    if (!err)
        err = votes_store_currents(st, a, id, &cur_voters, &cur_choices, &n_cur);
    if (err)
        return err;
    problems = json_array();

    for (size_t i = 0; i < n; i++) {
        char hash[65];

        if (b[i].seq != (int64_t)i + 1)
            problem(problems, a, "ballot %s: out of sequence",
                    arena_sprintf(a, "%lld", (long long)b[i].seq));
        if (strcmp(b[i].prev_hash, prev) != 0)
            problem(problems, a, "ballot %s: does not link to the ballot before it",
                    arena_sprintf(a, "%lld", (long long)b[i].seq));
        votes_chain_hash(a, id, b[i].seq, b[i].voter, b[i].choice, b[i].channel, b[i].cast_at,
                         b[i].receipt, b[i].prev_hash, hash);
        if (strcmp(hash, b[i].hash) != 0)
            problem(problems, a, "ballot %s: its hash does not match its content",
                    arena_sprintf(a, "%lld", (long long)b[i].seq));
        prev = b[i].hash;
    }
    if (strcmp(prev, v->chain_head) != 0)
        problem(problems, a, "%s", "the chain's last hash is not the head kept on the vote");
    if ((int64_t)n != v->n_ballots)
        problem(problems, a, "%s", "the number of ballots is not the one kept on the vote");

    /* each voter's last ballot in the chain: by voter, then by place in the chain */
    {
        SeqPick *all = arena_alloc(a, (n + 1) * sizeof(*all));

        for (size_t i = 0; i < n; i++) {
            all[i].voter = b[i].voter;
            all[i].choice = b[i].choice;
            all[i].seq = b[i].seq;
        }
        qsort(all, n, sizeof(*all), cmp_seq_pick);
        last = arena_alloc(a, (n + 1) * sizeof(*last));
        for (size_t i = 0; i < n; i++) {
            if (i + 1 < n && strcmp(all[i].voter, all[i + 1].voter) == 0)
                continue;
            last[n_last].voter = all[i].voter;
            last[n_last].choice = all[i].choice;
            n_last++;
        }
    }
    if (n_last != n_cur)
        problem(problems, a, "%s", "the counted ballots are not one per voter of the chain");
    for (size_t i = 0; i < n_cur; i++) {
        const char *c = choice_of(last, n_last, cur_voters[i]);

        if (!c || strcmp(c, cur_choices[i]) != 0)
            problem(problems, a, "voter %s: the counted choice is not her last ballot",
                    cur_voters[i]);
    }

    last_voters = arena_alloc(a, (n_last + 1) * sizeof(*last_voters));
    last_choices = arena_alloc(a, (n_last + 1) * sizeof(*last_choices));
    for (size_t i = 0; i < n_last; i++) {
        last_voters[i] = last[i].voter;
        last_choices[i] = last[i].choice;
    }
    if (v->closed_at) {
        json_t *recount = NULL, *stored = v->result ? json_loads(v->result, 0, NULL) : NULL, *val;
        const char *key;

        err = votes_count(st, a, v, last_voters, last_choices, n_last, &recount);
        if (err) {
            json_decref(stored);
            json_decref(problems);
            return err;
        }
        /* the count itself, and the head and length published with it */
        result_matches = stored != NULL;
        json_object_foreach(recount, key, val) {
            if (!json_equal(val, json_object_get(stored, key)))
                result_matches = false;
        }
        if (stored && (!json_is_string(json_object_get(stored, "chain_head")) ||
                       strcmp(json_string_value(json_object_get(stored, "chain_head")), prev) != 0 ||
                       json_integer_value(json_object_get(stored, "ballots")) != (json_int_t)n))
            problem(problems, a, "%s", "the chain is not the one published with the result");
        if (!result_matches)
            problem(problems, a, "%s", "the result recounted from the ballots differs from the one published");
        json_decref(stored);
        json_decref(recount);
    }
    report = json_pack("{s:I, s:b, s:I, s:I, s:s, s:b, s:b}", "vote", (json_int_t)id, "ok",
                       json_array_size(problems) == 0, "ballots", (json_int_t)n, "voters",
                       (json_int_t)n_last, "head", v->chain_head, "closed", v->closed_at != 0,
                       "result_matches", result_matches);
    json_object_set_new(report, "problems", problems);
    *ret = report;
    return NULL;
}
