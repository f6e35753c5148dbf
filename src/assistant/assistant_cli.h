#pragma once
/* `linli kb import|export` and `linli ask` (assistant_cli.c). */
int assistant_cli_kb(int argc, char **argv);
int assistant_cli_ask(int argc, char **argv);

#include "core/config.h"
#include "core/error.h"
#include "store/store.h"

/*
 * `linli demo`: imports the sample knowledge base compiled into the binary
 * (data/faq/kb.jsonl); the number of entries in *ret_n.
 */
Error *assistant_demo(Store *st, Arena *a, size_t *ret_n);
/*
 * `linli demo` (assistant_demo.c): @days days of residents' questions in
 * every community of @own_community's street, seeded by @seed, asked by
 * the residents' accounts there; *ret_n: how many.
 */
Error *assistant_demo_history(Store *st, Arena *a, const char *own_community, int days,
                              uint64_t seed, int64_t now_ms, int64_t *ret_n);

/*
 * `linli serve`: builds the index in the background, ready before most first
 * questions (which otherwise wait for it; a failure is logged), and turns
 * generation on if @cfg says so; stop waits for the build and undoes both.
 */
void assistant_serve_start(const Config *cfg);
void assistant_serve_stop(void);
