/*
 * Votes on the command line: `linli votes tally` counts one owners'
 * decision (民法典 第二百七十八条) read as JSON on stdin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "votes/votes.h"
#include "votes/votes_store.h"
#include "core/banned.h"

static int print_json(json_t *j, int rc)
{
    /* areas have two decimals: 15 significant digits print them as written */
    char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));

    if (s)
        puts(s);
    free(s);
    json_decref(j);
    return rc;
}

static int print_error(const Error *err)
{
    json_t *e = json_pack("{s:s, s:s}", "code", err->code, "message", err->message);

    json_object_set_new(e, "field", err->field ? json_string(err->field) : json_null());
    cli_print_error(err);
    return print_json(json_pack("{s:o}", "error", e), 1);
}

static int votes_tally_cmd(int argc, char **argv)
{
    json_error_t jerr;
    json_t *doc;
    Arena *a;
    VotesInput in;
    VotesTally t;
    Error *err;
    int rc;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli votes tally < DOC.json\n"
             "\n"
             "Counts one owners' decision under 民法典 第二百七十八条. Reads on stdin:\n"
             "  {\"matter\": \"special\"|\"ordinary\",\n"
             "   \"units\": [{\"id\", \"area_m2\", \"owner\", \"unsold\"?}],\n"
             "   \"ballots\": [{\"unit\", \"choice\": \"yes\"|\"no\"|\"abstain\"}]}\n"
             "and prints\n"
             "  {\"owners_total\", \"owners_participating\", \"owners_yes\", \"area_total\",\n"
             "   \"area_participating\", \"area_yes\", \"quorum\", \"approved\",\n"
             "   \"conditions\": [{\"name\", \"value\": \"n/d\", \"threshold\": \"n/d\", \"op\",\n"
             "                   \"holds\", \"label\", \"text\"}]}\n"
             "or {\"error\": {\"code\", \"message\", \"field\"}} (exit status 1).\n"
             "\n"
             "Quorum: at least 2/3 of the exclusive area and 2/3 of the owners take part.\n"
             "Approval: special matters (筹集维修资金, 改建重建, 改变共有部分用途) at least\n"
             "3/4 of the participating area and owners; ordinary ones more than 1/2 of each.\n"
             "Owners count per unit, one owner of several units once, the developer's\n"
             "unsold units together once; an owner who votes takes part with all her\n"
             "units, whose ballots must agree. Areas are decimal metres with at most two\n"
             "places (a number or a string such as \"89.50\"), counted in exact hundredths;\n"
             "every comparison is made on integers.");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "linli votes tally: reads its document on stdin; no arguments\n");
        return 2;
    }
    a = arena_new(0);
    doc = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        rc = print_error(error_bad_request(a, NULL, "malformed_json",
                                           arena_sprintf(a, "输入不是有效的 JSON（第 %d 行第 %d 列附近），请检查括号、引号和逗号",
                                                         jerr.line, jerr.column)));
        arena_free(a);
        return rc;
    }
    err = votes_tally_parse(a, doc, &in);
    if (!err)
        err = votes_tally(a, &in, &t);
    rc = err ? print_error(err) : print_json(votes_tally_json(a, &t), 0);
    json_decref(doc);
    arena_free(a);
    return rc;
}

/* `linli votes verify`: the hash chain, the counted ballots and the result of one vote. */
static int votes_verify_cmd(int argc, char **argv)
{
    const char *db = NULL, *vote = NULL;
    const CliOption opts[] = { { "db", &db }, { "vote", &vote }, { 0 } };
    json_t *report = NULL;
    char *end = NULL;
    long long id;
    Store *st;
    Arena *a;
    Error *err;
    int rc;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli votes verify --db FILE --vote ID\n"
             "\n"
             "Checks vote ID as anyone holding the database can: every ballot's SHA-256\n"
             "hash is recomputed from the previous hash and the ballot's line\n"
             "\"vote_id|seq|voter|choice|channel|cast_at_ms|receipt\", each must link to\n"
             "the one before, the last must be the head kept on the vote (and published\n"
             "with its result), each voter's counted ballot must be her last one in the\n"
             "chain, and a closed vote's result is recounted from the chain by the code\n"
             "of `linli votes tally` and compared with the one published at the close.\n"
             "Prints {\"vote\", \"ok\", \"ballots\", \"voters\", \"head\", \"closed\",\n"
             "\"result_matches\", \"problems\": [...]}; exit status 1 when not ok.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (vote)
        id = strtoll(vote, &end, 10);
    if (!db || !vote || !end || *end || id <= 0) {
        fprintf(stderr, "linli votes verify: --db FILE and --vote ID are required\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    err = votes_verify(st, a, id, &report);
    if (!err && !report)
        err = error_not_found(a, "vote", "没有这个表决");
    if (err)
        rc = print_error(err);
    else
        rc = print_json(report, json_is_true(json_object_get(report, "ok")) ? 0 : 1);
    arena_free(a);
    store_close(st);
    return rc;
}

int votes_cli(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "tally", votes_tally_cmd },
                                       { "verify", votes_verify_cmd },
                                       { 0 } };

    return cli_subcommand(argc, argv, cmds,
                          "usage: linli votes tally [--help] < DOC.json\n"
                          "       linli votes verify --db FILE --vote ID");
}
