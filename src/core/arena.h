#pragma once
/*
 * Arena: a region allocator for one request (or one CLI command).
 *
 * Everything allocated from an arena is released at once by arena_free().
 * Other resources (json_t, statements, files) ride on it with arena_defer():
 * their cleanups run in reverse order of registration when the arena is
 * freed. Allocation never fails: when memory runs out the process logs and
 * aborts, so callers do not check for NULL. Every size a user controls must
 * be limited before it reaches the arena.
 */
#include <stdarg.h>
#include <stddef.h>

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

typedef struct Arena Arena;
typedef void (*ArenaCleanup)(void *data);

/* Creates an arena whose first block holds @first_block bytes (0: 8 KiB). */
Arena *arena_new(size_t first_block);

/* Runs the deferred cleanups, then frees every block. Accepts NULL. */
void arena_free(Arena *a);

/* Forgets all allocations and runs the cleanups, keeping the first block. */
void arena_reset(Arena *a);

/* @size bytes aligned for any type; contents undefined. */
void *arena_alloc(Arena *a, size_t size);

/* @size bytes set to zero. */
void *arena_zalloc(Arena *a, size_t size);

/* Copies of strings and memory, NUL-terminated; NULL in, NULL out. */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
void *arena_memdup(Arena *a, const void *p, size_t n);

/*
 * Room for one more item in an array of @n items of @size bytes, *@cap
 * allocated: @items itself while @n < *@cap, else a copy in @a with twice
 * the capacity (*@cap doubled). Use: items = arena_grow(a, items, n, &cap, sizeof(*items)).
 */
void *arena_grow(Arena *a, void *items, size_t n, size_t *cap, size_t size);

/* printf into the arena. */
char *arena_sprintf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vsprintf(Arena *a, const char *fmt, va_list ap);

/* Registers @fn(@data) to run when the arena is freed or reset. */
void arena_defer(Arena *a, ArenaCleanup fn, void *data);

/* Bytes handed out so far (for tests and metrics). */
size_t arena_used(const Arena *a);
