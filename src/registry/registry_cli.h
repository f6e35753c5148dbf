#pragma once
/* `linli import residents` and `linli export residents` (registry_io.c). */
int registry_cli_import(int argc, char **argv);
int registry_cli_export(int argc, char **argv);
