#pragma once
/* `linli kb import|export` and `linli ask` (assistant_cli.c). */
int assistant_cli_kb(int argc, char **argv);
int assistant_cli_ask(int argc, char **argv);
